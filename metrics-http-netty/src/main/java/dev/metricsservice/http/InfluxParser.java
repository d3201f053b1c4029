package dev.metricsservice.http;

import dev.metricsservice.core.SampleBatch;
import dev.metricsservice.core.Tags;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Influx line protocol, as VictoriaMetrics and InfluxDB take it:
 * <pre>
 * measurement[,tag=value...] field=value[,field=value...] [timestamp]
 * </pre>
 * Each numeric field becomes a sample of series {@code measurement_field} (just {@code measurement}
 * for a field named {@code value}) with the line's tags; booleans are 1 and 0; integers
 * ({@code 3i}, {@code 3u}) and floats alike. String fields carry no number and are skipped (and
 * counted). The timestamp is in the request's precision (nanoseconds by default); without one the
 * server's clock stamps the sample. Lines starting with '#' and empty lines are skipped.
 *
 * <p>Escapes: in the measurement {@code \,} and {@code \ }; in tag keys, tag values and field keys
 * also {@code \=}; in string values {@code \"} and {@code \\}. Not thread-safe; one per call.
 */
final class InfluxParser {

    /** A line that breaks the grammar: its number (from 1) and why. */
    static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;

        BadLine(int line, String reason) {
            super("line " + line + ": " + reason, null, false, false);
            this.line = line;
        }
    }

    private final byte[] b;
    private final int end;
    private final long nanosPerUnit;
    private final SampleBatch out;
    private final int maxSamples;
    private int pos;
    private int lineNumber;
    /** String fields skipped. */
    int stringFields;
    /** The line (from 1) of each sample added. */
    int[] lineOf;

    InfluxParser(byte[] body, int length, long nanosPerUnit, SampleBatch out, int maxSamples) {
        this.b = body;
        this.end = length;
        this.nanosPerUnit = nanosPerUnit;
        this.out = out;
        this.maxSamples = maxSamples;
        this.lineOf = new int[64];
    }

    /** Nanoseconds per timestamp unit for a {@code precision} parameter; -1 if unknown. */
    static long precision(String p) {
        if (p == null || p.isEmpty()) {
            return 1;
        }
        return switch (p) {
            case "ns", "n" -> 1;
            case "us", "u", "µ" -> 1_000;
            case "ms" -> 1_000_000;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> -1;
        };
    }

    /** Parses every line into the batch (all or none: the caller discards it on a bad line). */
    void parse() throws BadLine {
        while (pos < end) {
            lineNumber++;
            int lineEnd = pos;
            while (lineEnd < end && b[lineEnd] != '\n') {
                lineEnd++;
            }
            int stop = lineEnd > pos && b[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            int start = pos;
            while (start < stop && (b[start] == ' ' || b[start] == '\t')) {
                start++;
            }
            if (start < stop && b[start] != '#') {
                line(start, stop);
            }
            pos = lineEnd + 1;
        }
    }

    private final List<String> tagParts = new ArrayList<>();
    /** The current line's numeric fields: their series names and values (unboxed, reused). */
    private String[] fieldNames = new String[4];
    private double[] fieldValues = new double[4];
    private int fieldCount;
    private int p;

    /** The previous line's measurement-and-tags bytes, and what they parsed to: most lines repeat them. */
    private byte[] prevSeries = new byte[0];
    private int prevSeriesLength = -1;
    private String prevMeasurement;
    private Tags prevTags;
    private final java.util.HashMap<String, String> namesOfFields = new java.util.HashMap<>();
    /** The series name of the k-th field key while the series and that key repeat; null when unknown. */
    private String[] seriesNameOfKey = new String[4];

    /** Where the measurement and tags end: the first space not escaped. */
    private int seriesEnd(int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\\') {
                i++;
            } else if (b[i] == ' ') {
                return i;
            }
        }
        return to;
    }

    private void line(int from, int to) throws BadLine {
        int seriesEnd = seriesEnd(from, to);
        if (seriesEnd - from == prevSeriesLength
                && java.util.Arrays.equals(b, from, seriesEnd, prevSeries, 0, prevSeriesLength)) {
            p = seriesEnd;
            fields(to, prevMeasurement, prevTags);
            return;
        }
        p = from;
        String measurement = token(to, true, false);
        if (measurement.isEmpty()) {
            throw bad("the measurement is empty");
        }
        tagParts.clear();
        while (p < to && b[p] == ',') {
            p++;
            String key = token(to, false, true);
            if (p >= to || b[p] != '=') {
                throw bad("tag '" + key + "' has no '='");
            }
            p++;
            String value = token(to, false, false);
            if (key.isEmpty() || value.isEmpty()) {
                throw bad("a tag key and value must not be empty");
            }
            tagParts.add(key);
            tagParts.add(value);
        }
        if (p >= to || b[p] != ' ') {
            throw bad("expected a space and then fields after the measurement and tags");
        }
        Tags tags;
        try {
            tags = tagParts.isEmpty() ? Tags.empty() : Tags.of(tagParts.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw bad("a tag key is given twice");
        }
        if (seriesEnd - from > prevSeries.length) {
            prevSeries = new byte[Math.max(64, seriesEnd - from)];
        }
        System.arraycopy(b, from, prevSeries, 0, seriesEnd - from);
        prevSeriesLength = seriesEnd - from;
        prevMeasurement = measurement;
        prevTags = tags;
        namesOfFields.clear();
        java.util.Arrays.fill(seriesNameOfKey, null);
        fields(to, measurement, tags);
    }

    private byte[][] fieldKeyBytes = new byte[4][];
    private String[] fieldKeys = new String[4];

    /** The k-th field key if its bytes (unescaped, up to '=') repeat the remembered ones; p moves past it. */
    private String cachedFieldKey(int k, int to) {
        if (k >= fieldKeys.length || fieldKeys[k] == null) {
            return null;
        }
        byte[] kb = fieldKeyBytes[k];
        int end = p + kb.length;
        if (end >= to || b[end] != '=' || !java.util.Arrays.equals(b, p, end, kb, 0, kb.length)) {
            return null;
        }
        for (int i = p; i < end; i++) {
            if (b[i] == '\\') {
                return null; // escapes go the general way
            }
        }
        p = end;
        return fieldKeys[k];
    }

    private void rememberFieldKey(int k, int from, int to, String key) {
        if (k >= fieldKeys.length) {
            fieldKeys = java.util.Arrays.copyOf(fieldKeys, k * 2);
            fieldKeyBytes = java.util.Arrays.copyOf(fieldKeyBytes, k * 2);
            seriesNameOfKey = java.util.Arrays.copyOf(seriesNameOfKey, k * 2);
        }
        fieldKeys[k] = key;
        fieldKeyBytes[k] = java.util.Arrays.copyOfRange(b, from, to);
        seriesNameOfKey[k] = null;
    }

    /** The series name of field {@code key}: the measurement for "value", else measurement_key. */
    private String seriesName(int k, String measurement, String key) {
        String name = seriesNameOfKey[k];
        if (name == null) {
            name = namesOfFields.get(key);
            if (name == null) {
                name = key.equals("value") ? measurement : measurement + "_" + key;
                namesOfFields.put(key, name);
            }
            seriesNameOfKey[k] = name;
        }
        return name;
    }

    private void fields(int to, String measurement, Tags tags) throws BadLine {
        if (p >= to || b[p] != ' ') {
            throw bad("expected a space and then fields after the measurement and tags");
        }
        while (p < to && b[p] == ' ') {
            p++;
        }
        fieldCount = 0;
        int k = 0;
        while (true) {
            // The k-th field key of a line with the previous line's series is usually the previous
            // line's k-th: compared as bytes, it needs no string.
            String key = cachedFieldKey(k, to);
            if (key == null) {
                int keyStart = p;
                key = token(to, false, true);
                rememberFieldKey(k, keyStart, p, key);
            }
            int keyIndex = k++;
            if (key.isEmpty()) {
                throw bad("a field key is empty");
            }
            if (p >= to || b[p] != '=') {
                throw bad("field '" + key + "' has no '='");
            }
            p++;
            double value = fieldValue(to, key);
            if (!Double.isNaN(value)) {
                if (fieldCount == fieldNames.length) {
                    fieldNames = java.util.Arrays.copyOf(fieldNames, fieldCount * 2);
                    fieldValues = java.util.Arrays.copyOf(fieldValues, fieldCount * 2);
                }
                fieldNames[fieldCount] = seriesName(keyIndex, measurement, key);
                fieldValues[fieldCount++] = value;
            }
            if (p < to && b[p] == ',') {
                p++;
                continue;
            }
            break;
        }
        boolean stamped = false;
        long epochMillis = 0;
        if (p < to) {
            if (b[p] != ' ') {
                throw bad("unexpected '" + (char) b[p] + "' after the fields");
            }
            while (p < to && b[p] == ' ') {
                p++;
            }
            if (p < to) {
                long t = integer(to);
                long nanos;
                try {
                    nanos = Math.multiplyExact(t, nanosPerUnit);
                } catch (ArithmeticException e) {
                    throw bad("the timestamp is out of range for its precision");
                }
                // Division toward negative infinity keeps a pre-1970 stamp in its millisecond.
                epochMillis = Math.floorDiv(nanos, 1_000_000L);
                stamped = true;
                while (p < to && b[p] == ' ') {
                    p++;
                }
                if (p < to) {
                    throw bad("unexpected text after the timestamp");
                }
            }
        }
        for (int i = 0; i < fieldCount; i++) {
            if (out.size() == maxSamples) {
                throw bad("a request may hold at most " + maxSamples + " samples; split it");
            }
            String name = fieldNames[i];
            if (out.size() == lineOf.length) {
                lineOf = java.util.Arrays.copyOf(lineOf, lineOf.length * 2);
            }
            lineOf[out.size()] = lineNumber;
            if (stamped) {
                out.add(name, tags, null, fieldValues[i], epochMillis);
            } else {
                out.add(name, tags, null, fieldValues[i]);
            }
        }
    }

    /**
     * A field value: a number, an integer with 'i' or 'u', a boolean (1 or 0), or a string (NaN:
     * skipped; a NaN number is refused as not finite, so NaN is free to mean "no value").
     */
    private double fieldValue(int to, String key) throws BadLine {
        if (p >= to) {
            throw bad("field '" + key + "' has no value");
        }
        if (b[p] == '"') {
            p++;
            while (p < to && b[p] != '"') {
                p += b[p] == '\\' ? 2 : 1;
            }
            if (p >= to) {
                throw bad("field '" + key + "' has an unterminated string");
            }
            p++;
            stringFields++;
            return Double.NaN;
        }
        int start = p;
        long whole = 0;
        boolean digits = true;
        while (p < to && b[p] != ',' && b[p] != ' ') {
            byte c = b[p];
            if (c >= '0' && c <= '9') {
                whole = whole * 10 + (c - '0');
                if (p - start >= 15) {
                    digits = false; // beyond exact long arithmetic here: the general path
                }
            } else if (!((c == 'i' || c == 'u') && p > start && (p + 1 == to || b[p + 1] == ',' || b[p + 1] == ' '))) {
                digits = false;
            }
            p++;
        }
        if (digits && p > start) {
            return (double) whole; // plain non-negative integers (with or without i/u): no text, no parsing
        }
        String text = new String(b, start, p - start, StandardCharsets.US_ASCII);
        switch (text) {
            case "t", "T", "true", "True", "TRUE":
                return 1.0;
            case "f", "F", "false", "False", "FALSE":
                return 0.0;
            default:
                break;
        }
        String number = text.endsWith("i") || text.endsWith("u") ? text.substring(0, text.length() - 1) : text;
        if (number.isEmpty() || !numeric(number)) {
            throw bad("field '" + key + "' has the value '" + abbreviate(text) + "', which is not a number,"
                    + " boolean or string");
        }
        try {
            double v = Double.parseDouble(number);
            if (!Double.isFinite(v)) {
                throw bad("field '" + key + "' is not finite");
            }
            return v;
        } catch (NumberFormatException e) {
            throw bad("field '" + key + "' has the value '" + abbreviate(text) + "', which is not a number");
        }
    }

    private static boolean numeric(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
                return false;
            }
        }
        return true;
    }

    private long integer(int to) throws BadLine {
        int start = p;
        if (p < to && b[p] == '-') {
            p++;
        }
        long v = 0;
        int digits = 0;
        while (p < to && b[p] >= '0' && b[p] <= '9') {
            if (++digits > 19) {
                throw bad("the timestamp has too many digits");
            }
            v = v * 10 + (b[p] - '0');
            p++;
        }
        if (digits == 0 || (p < to && b[p] != ' ')) {
            throw bad("the timestamp '" + abbreviate(new String(b, start, Math.min(to, start + 30) - start,
                    StandardCharsets.UTF_8)) + "' is not an integer");
        }
        return b[start] == '-' ? -v : v;
    }

    /**
     * A measurement, tag key, tag value or field key: up to an unescaped ',', ' ' or (for keys and
     * tag values) '='.
     */
    private String token(int to, boolean measurement, boolean key) throws BadLine {
        StringBuilder sb = null;
        int start = p;
        while (p < to) {
            byte c = b[p];
            if (c == '\\' && p + 1 < to) {
                byte next = b[p + 1];
                if (next == ',' || next == ' ' || (!measurement && next == '=') || next == '\\') {
                    if (sb == null) {
                        sb = new StringBuilder(new String(b, start, p - start, StandardCharsets.UTF_8));
                    }
                    sb.append((char) next);
                    p += 2;
                    start = p;
                    continue;
                }
            }
            if (c == ',' || c == ' ' || (!measurement && c == '=')) {
                break;
            }
            p++;
        }
        String tail = new String(b, start, p - start, StandardCharsets.UTF_8);
        return sb == null ? tail : sb.append(tail).toString();
    }

    private BadLine bad(String reason) {
        return new BadLine(lineNumber, reason);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
