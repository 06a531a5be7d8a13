package dev.starling.runtime.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/** Switches logging to structured JSON lines (the default in containers) or plain text. */
final class Logs {
  private Logs() {}

  static void configure(String format) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    Encoder<ILoggingEvent> encoder;
    if ("json".equals(format)) {
      JsonEncoder json = new JsonEncoder();
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
      encoder = text;
    }
    encoder.setContext(ctx);
    encoder.start();
    ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
    out.setContext(ctx);
    out.setName("stderr");
    out.setTarget("System.err");
    out.setEncoder(encoder);
    out.start();
    root.detachAndStopAllAppenders();
    root.addAppender(out);
    root.setLevel(Level.INFO);
  }
}
