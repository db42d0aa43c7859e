package bnsearch.opensearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One real OpenSearch node on loopback, for bnsearch's tests: the HTTP and
 * transport layers are Netty's, as in a distribution, with the common
 * analysis plugin (the whitespace analyzer). Arguments:
 *
 * <pre>HOME CLUSTER NAME HTTP_PORT TRANSPORT_PORT [SEED_PORTS MANAGER_NAMES]</pre>
 *
 * With no seeds the node forms a cluster of its own; with them (comma
 * separated transport ports and node names) it joins the others. It runs
 * until killed; SIGTERM closes it cleanly.
 */
public final class NodeLauncher {
    private NodeLauncher() {}

    /** A node with plugins from the class path (a distribution loads them from its plugins folder). */
    private static final class PluginNode extends Node {
        PluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 7) {
            System.err.println("usage: HOME CLUSTER NAME HTTP_PORT TRANSPORT_PORT [SEED_PORTS MANAGER_NAMES]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Settings.Builder settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", args[1])
            .put("node.name", args[2])
            .put("network.host", "127.0.0.1")
            .put("http.port", args[3])
            .put("transport.port", args[4])
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            // A test machine's disk may be nearly full: never refuse writes for it.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.auto_create_index", false);
        if (args.length == 5) {
            settings.put("discovery.type", "single-node");
        } else {
            List<String> seeds = Arrays.stream(args[5].split(",")).map(port -> "127.0.0.1:" + port).toList();
            settings.putList("discovery.seed_hosts", seeds);
            settings.putList("cluster.initial_cluster_manager_nodes", Arrays.asList(args[6].split(",")));
        }
        String name = args[2];
        Environment environment =
            InternalSettingsPreparer.prepareEnvironment(settings.build(), Map.of(), null, () -> name);
        Node node = new PluginNode(environment, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception error) {
                // the process is ending
            }
            closed.countDown();
        }));
        node.start();
        System.out.println("bnsearch-opensearch: node " + args[2] + " started, http 127.0.0.1:" + args[3]);
        System.out.flush();
        closed.await();
    }
}
