package dev.millrace.internal.store.sql;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/**
 * Rows for PostgreSQL's {@code COPY … FROM STDIN (FORMAT binary)}: a signature header, then per row a field count
 * and each field as its length and bytes (length -1 for null), then a trailer. Every value is written in the
 * type's binary wire form, so the column's type must match exactly (an {@code int4} column takes {@link #int4}).
 */
final class CopyRows {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private byte[] buf;
    private int len;
    /** Per slot, the last text written by {@link #repeated} and its bytes. */
    private final String[] lastText = new String[4];
    private final byte[][] lastBytes = new byte[4][];

    CopyRows(int expectedBytes) {
        buf = new byte[Math.max(64, expectedBytes)];
        append(SIGNATURE, 0, SIGNATURE.length);
        putInt(0); // flags: no OIDs
        putInt(0); // header extension length
    }

    /** Starts a row of {@code fields} fields. */
    CopyRows row(int fields) {
        putShort((short) fields);
        return this;
    }

    /** A {@code uuid}, or null. */
    CopyRows uuid(UUID v) {
        if (v == null) return nul();
        putInt(16);
        putLong(v.getMostSignificantBits());
        putLong(v.getLeastSignificantBits());
        return this;
    }

    /** A {@code text} or {@code varchar}, UTF-8, or null. */
    CopyRows text(String v) {
        if (v == null) return nul();
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        putInt(b.length);
        append(b, 0, b.length);
        return this;
    }

    /**
     * A {@code text} or {@code varchar} that is usually the very string of the previous row's field in the same
     * {@code slot} (0 to 3), such as a bulk's tenant or class name: encoded once for as long as it repeats.
     */
    CopyRows repeated(int slot, String v) {
        if (v == null) return nul();
        byte[] b = lastBytes[slot];
        if (v != lastText[slot]) {
            b = v.getBytes(StandardCharsets.UTF_8);
            lastText[slot] = v;
            lastBytes[slot] = b;
        }
        putInt(b.length);
        append(b, 0, b.length);
        return this;
    }

    /** An {@code int4}, or null. */
    CopyRows int4(Integer v) {
        if (v == null) return nul();
        putInt(4);
        putInt(v);
        return this;
    }

    /** An {@code int2}. */
    CopyRows int2(short v) {
        putInt(2);
        putShort(v);
        return this;
    }

    /** A {@code timestamptz}: microseconds since 2000-01-01 UTC (the node's clock already ticks in microseconds). */
    CopyRows timestamptz(Instant v) {
        if (v == null) return nul();
        long micros = Math.addExact(Math.multiplyExact(v.getEpochSecond(), 1_000_000L), v.getNano() / 1000);
        putInt(8);
        putLong(micros - PG_EPOCH_MICROS);
        return this;
    }

    /** The rows with the trailer, to hand to {@code CopyManager.copyIn}. */
    InputStream finish() {
        putShort((short) -1);
        return new ByteArrayInputStream(buf, 0, len);
    }

    private CopyRows nul() {
        putInt(-1);
        return this;
    }

    private void putShort(short v) {
        ensure(2);
        buf[len++] = (byte) (v >> 8);
        buf[len++] = (byte) v;
    }

    private void putInt(int v) {
        ensure(4);
        buf[len++] = (byte) (v >> 24);
        buf[len++] = (byte) (v >> 16);
        buf[len++] = (byte) (v >> 8);
        buf[len++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >> 32));
        putInt((int) v);
    }

    private void append(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
}
