package dev.txguard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local TCP listener for connection-timeout tests. It forwards each connection to a real server
 * until {@link #goSilent()}; from then on it accepts new connections and never answers them, as a
 * hung server or a black-holing firewall would.
 */
final class SilentServer implements AutoCloseable {
  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean silent;

  /** A listener that is silent from the start. */
  SilentServer() throws IOException {
    this(null, 0);
    silent = true;
  }

  /** A listener forwarding to {@code host:port} until told to go silent. */
  SilentServer(String host, int port) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetHost = host;
    this.targetPort = port;
    Thread acceptor = new Thread(this::acceptLoop, "silent-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  void goSilent() {
    silent = true;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        if (!silent) {
          Socket server = new Socket(targetHost, targetPort);
          sockets.add(server);
          pump(client.getInputStream(), server.getOutputStream());
          pump(server.getInputStream(), client.getOutputStream());
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(InputStream in, OutputStream out) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // a side closed: the pump ends
              }
            },
            "silent-server-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
