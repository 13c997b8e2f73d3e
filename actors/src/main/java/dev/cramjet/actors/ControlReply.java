package dev.cramjet.actors;

/**
 * The answer to a control action.
 *
 * @param accepted false when the run's state does not allow the action (the API answers 409)
 * @param message a sentence for people: what happened, or why not
 * @param step the optimizer step at which the action took effect
 * @param checkpoint the checkpoint folder written by the action, or null
 */
public record ControlReply(boolean accepted, String message, long step, String checkpoint) {
  public ControlReply {
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("a control reply needs a message");
    }
  }

  public static ControlReply ok(String message, long step) {
    return new ControlReply(true, message, step, null);
  }

  public static ControlReply conflict(String message, long step) {
    return new ControlReply(false, message, step, null);
  }
}
