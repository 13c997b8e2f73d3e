package dev.cramjet.actors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.cramjet.util.BadInputException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * What every node of a Cramjet cluster shares: the actor system's name ({@value #SYSTEM}), Artery over TCP on a given
 * host and port, a role ({@value #TRAINER_ROLE} or {@value #DATA_ROLE}), and how unreachable nodes are downed. The
 * split-brain resolver keeps the side with the oldest trainer node, and never downs a trainer that is alone: a lost
 * data worker is removed (its Receptionist entries with it) and the trainer goes on with local loading. A sweep
 * cluster is the same with the coordinator in the trainer's place and sweep workers in the data workers'.
 */
public final class ClusterNode {
  public static final String SYSTEM = "cramjet";
  public static final String TRAINER_ROLE = "trainer";
  public static final String DATA_ROLE = "data";
  /** A node that trains sweep cells handed to it ({@code worker --role sweep}). */
  public static final String SWEEP_ROLE = "sweep";
  /** The node that runs a sweep's coordinator ({@code sweep --cluster-port}). */
  public static final String COORDINATOR_ROLE = "sweep-coordinator";

  private ClusterNode() {}

  /**
   * Pekko settings for a node on {@code host:port} (port 0: any free port) with {@code role}, on top of the
   * application's config.
   */
  public static Config config(String host, int port, String role) {
    if (port < 0 || port > 65535) {
      throw new BadInputException("cluster port must be in 0..65535, got " + port);
    }
    if (!List.of(TRAINER_ROLE, DATA_ROLE, SWEEP_ROLE, COORDINATOR_ROLE).contains(role)) {
      throw new BadInputException("unknown cluster role '" + role + "' (expected " + TRAINER_ROLE + ", " + DATA_ROLE
          + ", " + SWEEP_ROLE + " or " + COORDINATOR_ROLE + ")");
    }
    // A training cluster keeps its trainer, a sweep cluster its coordinator, when the split-brain resolver decides.
    String keep = role.equals(SWEEP_ROLE) || role.equals(COORDINATOR_ROLE) ? COORDINATOR_ROLE : TRAINER_ROLE;
    return ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.advanced.maximum-frame-size = 2MiB
        pekko.cluster.jmx.enabled = off
        pekko.cluster.log-info-verbose = off
        pekko.cluster.downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
        pekko.cluster.split-brain-resolver {
          active-strategy = keep-oldest
          stable-after = 5s
          keep-oldest { down-if-alone = off }
        }
        pekko.coordinated-shutdown.exit-jvm = off
        """)
        .withValue("pekko.cluster.split-brain-resolver.keep-oldest.role", ConfigValueFactory.fromAnyRef(keep))
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
        .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(List.of(role)))
        .withFallback(ConfigFactory.load());
  }

  /** Parses {@code HOST:PORT,...} into cluster addresses of the {@value #SYSTEM} system. */
  public static List<Address> seeds(String csv) {
    List<Address> out = new ArrayList<>();
    if (csv == null || csv.isBlank()) {
      return out;
    }
    for (String s : csv.split(",")) {
      String item = s.trim();
      int colon = item.lastIndexOf(':');
      if (colon <= 0 || colon == item.length() - 1) {
        throw new BadInputException("seed node '" + item + "' is not HOST:PORT");
      }
      String host = item.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(item.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new BadInputException("seed node '" + item + "' has no numeric port");
      }
      if (port < 1 || port > 65535) {
        throw new BadInputException("seed node '" + item + "': port must be in 1..65535");
      }
      out.add(new Address("pekko", SYSTEM, host, port));
    }
    return out;
  }

  /** Joins the cluster through {@code seeds}, or forms a new one with this node alone when there are none. */
  public static void join(ActorSystem<?> system, List<Address> seeds) {
    Cluster cluster = Cluster.get(system);
    if (seeds.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else {
      cluster.manager().tell(new JoinSeedNodes(seeds));
    }
  }

  /** This node's address as {@code HOST:PORT}, for other nodes' {@code --seed-nodes}. */
  public static String hostPort(ActorSystem<?> system) {
    Address a = Cluster.get(system).selfMember().address();
    return a.getHost().orElse("?") + ":" + a.getPort().orElse(0);
  }
}
