package dev.millrace.cron;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads a test table: one row a line, columns separated by '|', '#' lines and blank lines skipped. */
final class CronTable {
    private CronTable() {
    }

    /** A row's columns, trimmed, and the line it came from. */
    record Row(int line, List<String> columns) {
        String column(int i) {
            return columns.get(i);
        }
    }

    static List<Row> read(String resource, int columns) {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = CronTable.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String text;
            int line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank() || text.startsWith("#")) continue;
                List<String> cells = Arrays.stream(text.split("\\|", -1)).map(String::strip).toList();
                if (cells.size() != columns) {
                    throw new IllegalStateException(resource + ":" + line + " has " + cells.size()
                            + " columns; expected " + columns);
                }
                rows.add(new Row(line, cells));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }
}
