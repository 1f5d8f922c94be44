import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Starts Neo4j Community in this JVM (neo4j-harness) with only a Bolt connector on loopback,
 * prints "BOLT <uri>" once it answers, and stops when its standard input closes (the parent
 * process ended) or on SIGTERM. Usage: java -cp CLASSPATH Launcher.java WORKDIR [PORT]
 * (PORT 0 or absent: a free port).
 */
public final class Launcher {
  public static void main(String[] args) throws Exception {
    Path workDir = Path.of(args[0]);
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    var builder = Neo4jBuilders.newInProcessBuilder(workDir)
        .withDisabledServer()
        .withConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
        .withConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10));
    if (port > 0) {
      builder = builder.withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port));
    }
    Neo4j neo4j = builder.build();
    Runtime.getRuntime().addShutdownHook(new Thread(neo4j::close));
    System.out.println("BOLT " + neo4j.boltURI());
    System.out.flush();
    InputStream in = System.in;
    byte[] buffer = new byte[256];
    while (in.read(buffer) >= 0) {
      // the parent writes nothing; EOF means it is gone
    }
    System.exit(0);
  }
}
