package dev.maas.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A large CSV is parsed with a live heap that does not grow with its size. */
class StreamingIngestTest {
  private static final long SIZE = 50L * 1024 * 1024;
  private static final long CHECK_EVERY = 10L * 1024 * 1024;
  @TempDir Path root;

  /** Generates CSV rows on the fly; every 10 MB it measures the live heap. */
  private static final class GeneratedCsv extends InputStream {
    private final long baseline;
    long maxLiveGrowth;
    long produced;
    long rows;
    private byte[] line = "a,b,c,d,e,f,g,h,label\n".getBytes(StandardCharsets.US_ASCII);
    private int at;
    private long nextCheck = CHECK_EVERY;

    GeneratedCsv(long baseline) {
      this.baseline = baseline;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (at == line.length) {
        if (produced >= SIZE) {
          return -1;
        }
        rows++;
        long r = rows;
        line =
            (r % 1000
                    + ".25,"
                    + (r * 7 % 13)
                    + ",-3.5e-2,"
                    + r
                    + ",0.125,42,"
                    + (r % 97) * 1.5
                    + ",7,class"
                    + r % 3
                    + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        at = 0;
      }
      int n = Math.min(len, line.length - at);
      System.arraycopy(line, at, b, off, n);
      at += n;
      produced += n;
      if (produced >= nextCheck) {
        nextCheck += CHECK_EVERY;
        maxLiveGrowth = Math.max(maxLiveGrowth, liveHeap() - baseline);
      }
      return n;
    }
  }

  private static long liveHeap() {
    Runtime runtime = Runtime.getRuntime();
    System.gc();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  @Test
  void aFiftyMegabyteCsvIsParsedWithoutHoldingItInMemory() throws Exception {
    long baseline = liveHeap();
    GeneratedCsv[] passes = new GeneratedCsv[2];
    int[] pass = {0};
    Ingest.Opener opener =
        () -> {
          GeneratedCsv csv = new GeneratedCsv(baseline);
          passes[pass[0]++] = csv;
          return new CsvRows(csv);
        };

    TableLayout layout =
        Ingest.table(opener, root.resolve("data.bin"), new Ingest.Limits(100_000_000, 100));

    assertThat(passes[0].produced).isGreaterThanOrEqualTo(SIZE);
    assertThat(layout.rows()).isEqualTo(passes[0].rows);
    assertThat(layout.columns()).hasSize(9);
    long growth = Math.max(passes[0].maxLiveGrowth, passes[1].maxLiveGrowth);
    assertThat(growth).as("live heap growth while parsing 50 MB").isLessThan(SIZE / 5);
  }
}
