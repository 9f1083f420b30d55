package dev.maas.contract;

import dev.maas.FullServerTest;

/** The server the contract tests share with the other API tests (see {@link FullServerTest}). */
abstract class ContractServer extends FullServerTest {

  String base() {
    return "http://127.0.0.1:" + port;
  }
}
