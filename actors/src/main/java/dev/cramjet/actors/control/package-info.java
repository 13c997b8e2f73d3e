/**
 * Controlling a running daemon over HTTP: the pekko-http {@link dev.cramjet.actors.control.ControlApi} (health,
 * status, pause, resume, evaluate, checkpoint, stop; bearer token on all but health), the
 * {@link dev.cramjet.actors.control.Daemon} that starts the run and the API and leaves {@code daemon.json} and an
 * owner-only {@code token} in the run folder, and the {@link dev.cramjet.actors.control.ControlClient} that
 * {@code cramjet ctl} uses (java.net.http). {@link dev.cramjet.actors.control.PlatformLauncher} wires a run in this
 * process (rows, metrics, actors, the API with {@code /metrics}) for {@code daemon} and {@code demo}; {@link
 * dev.cramjet.actors.control.MetricsServer} serves {@code /metrics} alone for the foreground {@code pretrain} and
 * {@code sweep}.
 */
package dev.cramjet.actors.control;
