package dev.maas.compute.nn;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The workspace that holds the temporaries of one training step or one prediction: ND4J's own
 * functions (losses, activation derivatives, updaters) allocate, and inside a workspace an
 * allocation is a pointer bump instead of a native malloc with a deallocator. Workspaces are per
 * thread, so concurrent predictions do not share one.
 */
public final class Workspaces {
  private static final WorkspaceConfiguration STEP =
      WorkspaceConfiguration.builder()
          .initialSize(0)
          .overallocationLimit(0.5)
          .policyLearning(LearningPolicy.FIRST_LOOP)
          .policyAllocation(AllocationPolicy.OVERALLOCATE)
          .policyReset(ResetPolicy.BLOCK_LEFT)
          .policySpill(SpillPolicy.REALLOCATE)
          .build();

  private Workspaces() {}

  /** The bytes this thread's step workspace holds now (0 when it has none). */
  public static long stepBytes() {
    var manager = Nd4j.getWorkspaceManager();
    if (!manager.checkIfWorkspaceExists("maas-step")) {
      return 0;
    }
    return manager.getWorkspaceForCurrentThread(STEP, "maas-step").getCurrentSize();
  }

  /** Opens (or reopens) this thread's step workspace; close it when the step ends. */
  public static MemoryWorkspace step() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, "maas-step");
  }
}
