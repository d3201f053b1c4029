package dev.metricsservice.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A plain socket that sends arbitrary bytes and parses HTTP/1.1 responses strictly. */
final class RawClient implements AutoCloseable {

    /** One parsed response. Header names are lower case. */
    record Response(String statusLine, int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(InetSocketAddress address, int timeoutMillis) throws IOException {
        this(address, null, timeoutMillis);
    }

    /** A client whose socket is bound to {@code local} (another loopback address, say) first. */
    RawClient(InetSocketAddress address, java.net.InetAddress local, int timeoutMillis) throws IOException {
        socket = new Socket();
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        socket.connect(address, timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(String s) throws IOException {
        return send(s.getBytes(StandardCharsets.UTF_8));
    }

    RawClient send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
        return this;
    }

    static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** A POST with extra header lines ({@code "Name: value"} each). */
    static String post(String path, String body, String... headers) {
        StringBuilder h = new StringBuilder();
        for (String header : headers) {
            h.append(header).append("\r\n");
        }
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + h + "Content-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    /** Reads one response; throws if the bytes are not a well-formed response. */
    Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        if (!statusLine.matches("HTTP/1\\.1 \\d{3} .*")) {
            throw new IOException("malformed status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        String h;
        while (!(h = line()).isEmpty()) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header: " + h);
            }
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        String body = "";
        String length = headers.get("content-length");
        if (length != null) {
            int n = Integer.parseInt(length);
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw new IOException("body shorter than content-length");
            }
            body = new String(b, StandardCharsets.UTF_8);
        } else if (status >= 200 && status != 204 && status != 304) {
            throw new IOException("response without content-length: " + statusLine);
        }
        return new Response(statusLine, status, headers, body);
    }

    /** True when the server closed the connection (end of stream or reset) within the timeout. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length;
                if (n == 0 || bytes[n - 1] != '\r') {
                    throw new IOException("line not terminated by CRLF");
                }
                return new String(bytes, 0, n - 1, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            if (b.size() > 16384) {
                throw new IOException("line too long");
            }
        }
        if (b.size() == 0) {
            return null;
        }
        throw new IOException("connection closed mid-line");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
