package dev.cramjet.actors.control;

import dev.cramjet.actors.StatusBoard;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code GET /status} document: the status board as nested maps (JSON has no NaN: those become null). */
final class StatusJson {
  private StatusJson() {}

  static Map<String, Object> of(StatusBoard board) {
    StatusBoard.Progress p = board.progress();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("phase", p.phase().name().toLowerCase(java.util.Locale.ROOT));
    m.put("step", p.step());
    m.put("tokens", p.tokens());
    m.put("loss", num(p.loss()));
    m.put("accuracy", num(p.last().accuracy()));
    m.put("lr", num(p.last().lr()));
    m.put("batch_size", p.last().batchRows());
    m.put("grad_norm", num(p.last().gradNorm()));
    m.put("skipped_steps", p.last().skippedSteps());
    m.put("rollbacks", p.last().rollbacks());
    m.put("rows_consumed", p.last().rows());
    m.put("message", p.message());
    StatusBoard.BudgetView b = board.budget();
    m.put("paused", b != null && b.paused());
    if (b != null) {
      Map<String, Object> bm = new LinkedHashMap<>();
      bm.put("budget", b.budget());
      bm.put("unit", b.unit());
      bm.put("used", b.used());
      bm.put("fraction", b.fraction());
      bm.put("elapsed_seconds", b.elapsedSeconds());
      bm.put("remaining_seconds", num(b.remainingSeconds()));
      m.put("budget", bm);
    }
    StatusBoard.DataWait w = board.dataWait();
    m.put("data_wait", Map.of("wait_seconds", w.waitSeconds(), "steady_wait_seconds", w.steadyWaitSeconds(),
        "step_seconds", w.stepSeconds(), "ratio", w.ratio(), "buffered_micro_batches", w.bufferedMicroBatches()));
    StatusBoard.DataSource d = board.dataSource();
    m.put("data_source", Map.of("rows_local", d.rowsLocal(), "rows_remote", d.rowsRemote(), "remote_loaders",
        d.remoteLoaders(), "retries", d.retries(), "ready_micro_batches", d.readyMicroBatches()));
    StatusBoard.CheckpointInfo c = board.lastCheckpoint();
    m.put("last_checkpoint", c == null ? null : Map.of("folder", c.folder(), "step", c.step(), "seconds",
        c.seconds(), "bytes", c.bytes()));
    StatusBoard.CheckpointError ce = board.lastCheckpointError();
    if (ce == null) {
      m.put("last_checkpoint_error", null);
    } else {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("step", ce.step());
      cm.put("time", ce.time());
      cm.put("error", ce.error());
      cm.put("final", ce.last());
      cm.put("intact_checkpoint", ce.intactFolder());
      cm.put("intact_step", ce.intactFolder() == null ? null : ce.intactStep());
      m.put("last_checkpoint_error", cm);
    }
    StatusBoard.EvalInfo e = board.lastEvaluation();
    if (e == null) {
      m.put("last_evaluation", null);
    } else {
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("step", e.step());
      em.put("loss", num(e.loss()));
      em.put("accuracy", num(e.accuracy()));
      em.put("rows", e.rows());
      em.put("seconds", e.seconds());
      em.put("error", e.error());
      em.put("end_step", e.endStep());
      java.util.List<Map<String, Object>> tasks = new java.util.ArrayList<>();
      for (StatusBoard.TaskScore t : e.tasks()) {
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("name", t.name());
        tm.put("task", t.task());
        tm.put("score", num(t.score()));
        Map<String, Object> metrics = new LinkedHashMap<>();
        t.metrics().forEach((k, v) -> metrics.put(k, num(v)));
        tm.put("metrics", metrics);
        tasks.add(tm);
      }
      em.put("tasks", tasks);
      em.put("average", num(e.average()));
      em.put("report", e.report());
      m.put("last_evaluation", em);
    }
    m.put("evaluating", board.evaluating());
    // "mlm" or a task's name while the evaluator works on it; "starting" between the request and the evaluator's start
    String what = board.evaluatingTask();
    m.put("evaluating_task", board.evaluating() ? (what != null ? what : "starting") : null);
    return m;
  }

  private static Double num(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
