package dev.txguard.dashboard.internal;

import dev.txguard.queue.QueueAdmin;
import java.time.Duration;

/**
 * A dashboard's checked settings.
 *
 * @param admin the queue's admin API
 * @param bind the address to listen on
 * @param port the port (0: any free one)
 * @param loopback whether {@code bind} is a loopback address
 * @param credentials who may use it
 * @param readOnly whether actions are refused
 * @param refresh how often the page reloads its data
 */
public record Settings(
    QueueAdmin admin,
    String bind,
    int port,
    boolean loopback,
    Credentials credentials,
    boolean readOnly,
    Duration refresh) {}
