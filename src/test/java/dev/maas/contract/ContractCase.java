package dev.maas.contract;

/** One flow of real requests through the contract-checking client. */
record ContractCase(String name, ContractCase.Flow flow) {

  /** The requests of a case; every exchange is checked against openapi.yaml as it happens. */
  interface Flow {
    void run(ContractClient api) throws Exception;
  }
}
