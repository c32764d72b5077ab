package dev.relay.kafka.embedded;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secured mode of an {@link EmbeddedKafkaCluster}, as a production cluster is set up: every
 * listener speaks SASL, the standard KRaft authorizer denies whatever no ACL allows, and one super
 * user (the brokers themselves and the operator's admin) bypasses the ACLs. Applications log in with
 * SCRAM-SHA-512 as users whose credentials are written at format time; the super user logs in with
 * PLAIN, whose only user is defined in the brokers' own JAAS settings, so brokers can reach each other
 * and the controllers before any SCRAM credential has been replicated.
 */
final class SaslSecurity {

    static final String CLIENT_LISTENER = "SASL_PLAINTEXT";
    static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    private final String superUser;
    private final String superUserPassword;
    private final Map<String, String> scramUsers = new LinkedHashMap<>();

    SaslSecurity(String superUser, String superUserPassword) {
        this.superUser = requireName(superUser);
        this.superUserPassword = requirePassword(superUserPassword);
    }

    void addScramUser(String name, String password) {
        if (name.equals(superUser)) {
            throw new IllegalArgumentException(name + " is the super user; it logs in with PLAIN");
        }
        scramUsers.put(requireName(name), requirePassword(password));
    }

    /** Replaces the plaintext listeners of a node's config with SASL ones and turns the authorizer on. */
    Map<String, String> secure(Map<String, String> config, int clientPort, int controllerPort) {
        Map<String, String> secured = new LinkedHashMap<>(config);
        // The broker side of PLAIN: its own login plus the one user it accepts.
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + superUser
                + "\" password=\"" + superUserPassword + "\" user_" + superUser + "=\"" + superUserPassword + "\";";
        String controller = BrokerConfig.CONTROLLER_LISTENER;
        secured.put("listeners", CLIENT_LISTENER + "://" + BrokerConfig.HOST + ":" + clientPort
                + "," + controller + "://" + BrokerConfig.HOST + ":" + controllerPort);
        secured.put("advertised.listeners", CLIENT_LISTENER + "://" + BrokerConfig.HOST + ":" + clientPort);
        secured.put("listener.security.protocol.map", CLIENT_LISTENER + ":SASL_PLAINTEXT," + controller + ":SASL_PLAINTEXT");
        secured.put("inter.broker.listener.name", CLIENT_LISTENER);
        secured.put("sasl.enabled.mechanisms", SCRAM_MECHANISM + ",PLAIN");
        secured.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        secured.put("sasl.mechanism.controller.protocol", "PLAIN");
        String client = "listener.name." + CLIENT_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        secured.put(client + "plain.sasl.jaas.config", plain);
        secured.put(client + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        String controllerPrefix = "listener.name." + controller.toLowerCase(java.util.Locale.ROOT) + ".";
        secured.put(controllerPrefix + "sasl.enabled.mechanisms", "PLAIN");
        secured.put(controllerPrefix + "plain.sasl.jaas.config", plain);
        secured.put("authorizer.class.name", AUTHORIZER);
        secured.put("super.users", "User:" + superUser);
        return secured;
    }

    /** The SCRAM credentials to write into the bootstrap metadata, as {@code kafka-storage format --add-scram} takes them. */
    List<String> scramArguments() {
        List<String> arguments = new ArrayList<>();
        scramUsers.forEach((name, password) ->
                arguments.add(SCRAM_MECHANISM + "=[name=" + name + ",password=" + password + "]"));
        return arguments;
    }

    Map<String, String> superUserClientProperties() {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", plainJaas(superUser, superUserPassword));
    }

    static Map<String, String> scramClientProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", SCRAM_MECHANISM,
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    private static String plainJaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** A password goes into JAAS and SCRAM arguments between quotes and brackets. */
    private static String requirePassword(String password) {
        if (password == null || password.isEmpty() || !password.matches("[^\"\\\\,\\]\\[=]+")) {
            throw new IllegalArgumentException("a password must be non-empty, without quotes, backslashes, commas, '=' or brackets");
        }
        return password;
    }

    /** A name that goes into JAAS and SCRAM arguments unquoted must not break them. */
    private static String requireName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a user name is letters, digits, '.', '_' and '-', not " + name);
        }
        return name;
    }
}
