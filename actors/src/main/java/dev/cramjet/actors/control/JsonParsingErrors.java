package dev.cramjet.actors.control;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers requests that pekko-http cannot parse (a header or URI over the limits, an unknown method, a broken request
 * line) in the control API's JSON error shape, with one WARN line, instead of pekko's plain-text default. Named in
 * the server settings by {@link ControlApi#bind}; pekko creates it by reflection, hence public with a no-arg
 * constructor.
 */
public final class JsonParsingErrors extends ParsingErrorHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ControlApi.class);

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String summary = info.summary() == null || info.summary().isBlank() ? status.reason() : info.summary();
    LOG.warn("refused a request that could not be parsed: {} {}", status.intValue(), summary);
    return ControlApi.error(status.intValue(), "malformed request: " + summary).addHeader(Connection.create("close"));
  }
}
