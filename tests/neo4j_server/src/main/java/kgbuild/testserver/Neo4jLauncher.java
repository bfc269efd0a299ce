package kgbuild.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Starts an embedded Neo4j Community server with Bolt on 127.0.0.1:PORT and auth enabled.
 *
 * <p>Usage: {@code java -cp "target/classes:target/lib/*" kgbuild.testserver.Neo4jLauncher DATA_DIR BOLT_PORT PASSWORD [SETTINGS_FILE]}
 *
 * <p>SETTINGS_FILE (optional) is a neo4j.conf-style {@code name=value} file applied over the
 * test defaults (64 MiB page cache, 128 MiB off-heap transaction state), e.g.
 * {@code server.memory.pagecache.size=1g}; Bolt, HTTP and auth settings always stay as below.
 *
 * <p>Prints exactly one line {@code READY bolt://127.0.0.1:PORT} on stdout once Bolt accepts
 * connections, then runs until stdin is closed (EOF) or the JVM gets SIGTERM/SIGINT. Everything
 * else (library output, errors) goes to stderr or DATA_DIR/logs.
 */
public final class Neo4jLauncher {
    private static final Object LOCK = new Object();
    private static DatabaseManagementService managementService;

    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        // Keep the real stdout for the READY line only; anything a library prints goes to stderr.
        PrintStream stdout = System.out;
        System.setOut(System.err);

        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: Neo4jLauncher DATA_DIR BOLT_PORT PASSWORD [SETTINGS_FILE]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port;
        try {
            port = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            System.err.println("BOLT_PORT must be 1..65535 (0 is not allowed), got: " + args[1]);
            System.exit(2);
        }
        String password = args[2];
        Path settings = args.length == 4 ? Path.of(args[3]).toAbsolutePath() : null;
        if (settings != null && !Files.isRegularFile(settings)) {
            System.err.println("SETTINGS_FILE does not exist: " + settings);
            System.exit(2);
        }
        Files.createDirectories(home);

        Runtime.getRuntime().addShutdownHook(new Thread(Neo4jLauncher::shutdown, "neo4j-shutdown"));

        synchronized (LOCK) {
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(64))
                    .setConfig(GraphDatabaseSettings.tx_state_max_off_heap_memory, ByteUnit.mebiBytes(128));
            if (settings != null) {
                builder.loadPropertiesFromFile(settings); // later values win: overrides the defaults above
            }
            managementService = builder
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    // Test-friendly internals: no usage-report phone-home, and no 5 s Netty quiet
                    // period on shutdown (default), so stopping the server is quick.
                    .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .build();
        }

        // Community edition creates user 'neo4j' with password 'neo4j' (change required) on first
        // start. Set the requested password via the system database; the embedded API runs with
        // full privileges, so no login is needed for this.
        // Fail fast (e.g. a password shorter than 8 characters) instead of hanging with Neo4j's threads.
        try {
            managementService
                    .database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
                    .executeTransactionally(
                            "ALTER USER neo4j IF EXISTS SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            System.err.println("setting the password failed: " + e.getMessage());
            System.exit(1); // runs the shutdown hook
        }

        stdout.println("READY bolt://127.0.0.1:" + port);
        stdout.flush();

        // Block until stdin is closed (the parent process went away or asked us to stop).
        InputStream in = System.in;
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) != -1) {
                // ignore input
            }
        } catch (IOException ignored) {
            // treat like EOF
        }
        System.exit(0); // runs the shutdown hook
    }

    private static void shutdown() {
        synchronized (LOCK) {
            if (managementService != null) {
                try {
                    managementService.shutdown();
                } catch (Throwable t) {
                    System.err.println("neo4j shutdown failed: " + t);
                }
                managementService = null;
            }
        }
    }
}
