package dev.cramjet.actors;

/** Where a daemon's run stands. */
public enum RunPhase {
  /** Actors are starting and the model is being built or restored. */
  STARTING,
  /** Stepping the optimizer. */
  TRAINING,
  /** Stepping stopped and the budget clock stopped, until a resume. */
  PAUSED,
  /** Writing the final checkpoint after a stop or when the budget is spent. */
  STOPPING,
  /** The budget is spent and the final checkpoint written. */
  FINISHED,
  /** Stopped on request, final checkpoint written. */
  STOPPED,
  /** Ended by an error; see the status message. */
  FAILED
}
