import dev.starling.runtime.config.ServerConfig;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP ceiling of the runtime's server: Jetty 12 from the runtime jar, set up as the runtime
 * sets it up (Javalin's connector — one HTTP/1.1 connection factory, Jetty's default acceptors and
 * selectors —, the runtime's thread pool, HttpConfiguration and connection limit, all from {@link
 * ServerConfig#defaults()}), with a handler that does what the inference fast path does around the
 * inference and nothing else: reads the whole request body through a blocking InputStream and
 * answers a fixed JSON body with Content-Type and Content-Length in one write. No JSON, no model.
 * The answer to {@code /v2/models/NAME/infer} is the file {@code DIR/answer-NAME.json} (read at
 * start), so one warmed-up server stands in for every model; other paths get 404.
 *
 * <pre>
 * java -cp runtime/target/starling-runtime.jar bench/load/NoopJetty.java PORT DIR [SECONDS]
 * </pre>
 *
 * Listens on 127.0.0.1 only and exits by itself after SECONDS (default 600).
 */
public final class NoopJetty {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Map<String, byte[]> answers = new HashMap<>();
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(Path.of(args[1]), "answer-*.json")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        answers.put(
            "/v2/models/" + name.substring(7, name.length() - 5) + "/infer", Files.readAllBytes(f));
      }
    }
    long seconds = args.length > 2 ? Long.parseLong(args[2]) : 600;
    ServerConfig cfg = ServerConfig.defaults();

    // StarlingApp.threadPool and Javalin's JettyServer, as the runtime starts them.
    QueuedThreadPool pool =
        new QueuedThreadPool(cfg.maxThreads(), Math.min(8, cfg.maxThreads()), 60_000);
    pool.setName("http");
    Server server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setUriCompliance(UriCompliance.LEGACY);
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setIdleTimeout(cfg.idleTimeout().toMillis());
    http.setMinRequestDataRate(cfg.minRequestDataRate());
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(cfg.idleTimeout().toMillis());
    server.setConnectors(new ServerConnector[] {connector});
    server.addBean(new NetworkConnectionLimit(cfg.maxConnections(), server));
    server.setHandler(new FixedAnswer(answers));
    server.start();
    System.out.println(
        "NoopJetty on 127.0.0.1:"
            + connector.getLocalPort()
            + " (acceptors "
            + connector.getAcceptors()
            + ", selectors "
            + connector.getSelectorManager().getSelectorCount()
            + ", "
            + answers.keySet()
            + ", exits in "
            + seconds
            + " s)");
    Thread.sleep(seconds * 1000);
    server.stop();
  }

  /** Reads the body, answers the same bytes every time for the same path. */
  static final class FixedAnswer extends Handler.Abstract {
    private final Map<String, byte[]> answers;

    FixedAnswer(Map<String, byte[]> answers) {
      this.answers = answers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      byte[] buf = new byte[4096];
      try (InputStream in = Content.Source.asInputStream(request)) {
        while (in.read(buf) >= 0) {
          // drain: the runtime decodes these bytes; here they are only read
        }
      }
      byte[] answer = answers.get(request.getHttpURI().getPath());
      if (answer == null) {
        answer = "{\"error\": \"no answer for this path\"}".getBytes(StandardCharsets.UTF_8);
        response.setStatus(404);
      } else {
        response.setStatus(200);
      }
      HttpFields.Mutable h = response.getHeaders();
      h.put(HttpHeader.CONTENT_TYPE, "application/json");
      h.put(HttpHeader.CONTENT_LENGTH, answer.length);
      response.write(true, ByteBuffer.wrap(answer), callback);
      return true;
    }
  }
}
