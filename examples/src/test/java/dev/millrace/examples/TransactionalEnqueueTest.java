package dev.millrace.examples;

import dev.millrace.AsyncOptions;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Tour, transactional enqueue: pass your connection and the job rides in your transaction. */
@MillraceTest(register = SendInvoice.class)
class TransactionalEnqueueTest {

    @Test
    void aCommittedEnqueueIsAJobARolledBackOneNeverExisted(AsyncTest test) throws SQLException {
        Sql.execute(test.dataSource(),
                "CREATE TABLE invoice (id BIGINT PRIMARY KEY, sent BOOLEAN DEFAULT FALSE NOT NULL)");
        try (Connection connection = test.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            insertInvoice(connection, 1);
            test.millrace().enqueue(connection, test.tenant(), new SendInvoice(1), AsyncOptions.none());
            connection.commit();

            insertInvoice(connection, 2);
            test.millrace().enqueue(connection, test.tenant(), new SendInvoice(2), AsyncOptions.none());
            connection.rollback();
        }

        assertThat(test.jobs(SendInvoice.class)).hasSize(1);
        assertThat(Sql.rows(test.dataSource(), "SELECT id FROM invoice")).containsExactly("1");
    }

    private static void insertInvoice(Connection connection, long id) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.executeUpdate("INSERT INTO invoice (id) VALUES (" + id + ")");
        }
    }
}
