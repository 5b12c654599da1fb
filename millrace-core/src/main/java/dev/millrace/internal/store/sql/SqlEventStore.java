package dev.millrace.internal.store.sql;

import dev.millrace.TenantId;
import dev.millrace.event.EventPolicy;
import dev.millrace.event.ResumeFrom;
import dev.millrace.event.SubscriptionState;
import dev.millrace.internal.store.EventStore;
import dev.millrace.internal.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The SQL event store. One generic SQL text for both databases, except the bulk append, which PostgreSQL does
 * in one statement over arrays (the same capability the job store uses for {@code enqueueAll}).
 */
final class SqlEventStore implements EventStore {
    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final PolicyTable<EventPolicy> policies;
    private final String usage;
    private final boolean arrays;
    private final PgNotifier notifier;
    private final String notifyChannel;
    private final String channel;
    private final String event;
    private final String subscription;
    private final String partition;

    SqlEventStore(Jdbc jdbc, SqlDialect dialect, String schema, PgNotifier notifier, String notifyChannel) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.arrays = dialect.insertManySql(Tables.in(schema)) != null;
        this.notifier = notifier;
        this.notifyChannel = notifyChannel;
        String p = schema == null ? "" : "\"" + schema + "\".";
        this.channel = p + "mr_channel";
        this.event = p + "mr_event";
        this.subscription = p + "mr_subscription";
        this.partition = p + "mr_subscription_partition";
        this.policies = new PolicyTable<>(jdbc, p + "mr_event_policy", "event policy", EventPolicy.class,
                EventPolicy.DEFAULTS);
        this.usage = p + "mr_event_usage";
    }

    @Override
    public ChannelRow putChannel(TenantId tenant, String name, String definition, Instant now) {
        return jdbc.inTransaction("declare channel " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + channel
                    + " SET definition = ?, updated_at = ? WHERE tenant_id = ? AND name = ?")) {
                ps.setString(1, definition);
                Jdbc.setInstant(ps, 2, now);
                ps.setString(3, tenant.value());
                ps.setString(4, name);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + channel
                            + " (tenant_id, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                        ins.setString(1, tenant.value());
                        ins.setString(2, name);
                        ins.setString(3, definition);
                        Jdbc.setInstant(ins, 4, now);
                        Jdbc.setInstant(ins, 5, now);
                        ins.executeUpdate();
                    }
                }
            }
            return channel(c, tenant, name).orElseThrow();
        });
    }

    @Override
    public Optional<ChannelRow> channel(TenantId tenant, String name) {
        return jdbc.inAutoCommit("read channel " + name, c -> channel(c, tenant, name));
    }

    private Optional<ChannelRow> channel(Connection c, TenantId tenant, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + channel + " WHERE tenant_id = ? AND name = ?")) {
            ps.setString(1, tenant.value());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(channelRow(rs)) : Optional.empty();
            }
        }
    }

    private static ChannelRow channelRow(ResultSet rs) throws SQLException {
        return new ChannelRow(rs.getLong("id"), TenantId.of(rs.getString("tenant_id")), rs.getString("name"),
                rs.getString("definition"), rs.getLong("last_replay_id"), rs.getLong("pruned_through"));
    }

    @Override
    public List<ChannelRow> channels() {
        return jdbc.inAutoCommit("list channels", c -> {
            List<ChannelRow> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + channel + " ORDER BY id")) {
                while (rs.next()) rows.add(channelRow(rs));
            }
            return rows;
        });
    }

    @Override
    public List<ChannelRow> channels(TenantId tenant) {
        return jdbc.inAutoCommit("list channels of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + channel + " WHERE tenant_id = ? ORDER BY name")) {
                ps.setString(1, tenant.value());
                List<ChannelRow> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) rows.add(channelRow(rs));
                }
                return rows;
            }
        });
    }

    @Override
    public long append(Connection c, long channelId, List<NewEvent> events) {
        return Jdbc.inConnection(c, "publish " + events.size() + " events", conn -> appendLocked(conn, channelId, events));
    }

    @Override
    public long appendAlone(long channelId, List<NewEvent> events) {
        if (arrays) {
            // One statement is its own transaction: the lock, the insert and the commit in one round trip.
            return jdbc.inAutoCommit("publish " + events.size() + " events", c -> appendLocked(c, channelId, events));
        }
        return jdbc.inTransaction("publish " + events.size() + " events", c -> appendLocked(c, channelId, events));
    }

    /**
     * The row lock taken on the channel is held until the transaction ends: the next publisher of this channel
     * waits, then reads our last_replay_id, so replay ids are dense and commit in order. Everything that does not
     * need the lock (building the arrays) happens before it is taken.
     */
    private long appendLocked(Connection conn, long channelId, List<NewEvent> events) throws SQLException {
        int n = events.size();
        if (arrays) {
            // Events appended together share one publish time (the first one's; they commit together anyway): one
            // parameter rather than an array parsed row by row.
            UUID[] uuids = new UUID[n];
            String[] payloads = new String[n];
            for (int i = 0; i < n; i++) {
                NewEvent e = events.get(i);
                uuids[i] = e.uuid();
                payloads[i] = e.payload();
            }
            try (PreparedStatement ps = conn.prepareStatement("WITH ch AS (UPDATE " + channel
                    + " SET last_replay_id = last_replay_id + ? WHERE id = ? RETURNING last_replay_id - ? AS before),"
                    + " ins AS (INSERT INTO " + event + " (channel_id, replay_id, event_uuid, published_at, payload)"
                    + " SELECT ?, ch.before + v.o, v.u, ?, v.p FROM ch,"
                    + " unnest(?::uuid[], ?::text[]) WITH ORDINALITY AS v(u, p, o))"
                    + " SELECT before + 1 FROM ch")) {
                ps.setLong(1, n);
                ps.setLong(2, channelId);
                ps.setLong(3, n);
                ps.setLong(4, channelId);
                Jdbc.setInstant(ps, 5, events.get(0).publishedAt());
                ps.setArray(6, conn.createArrayOf("uuid", uuids));
                ps.setArray(7, conn.createArrayOf("text", payloads));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new StoreException("channel " + channelId + " does not exist", null);
                    return rs.getLong(1);
                }
            }
        }
        long last;
        try (PreparedStatement ps = conn.prepareStatement("UPDATE " + channel
                + " SET last_replay_id = last_replay_id + ? WHERE id = ?")) {
            ps.setLong(1, n);
            ps.setLong(2, channelId);
            if (ps.executeUpdate() != 1) throw new StoreException("channel " + channelId + " does not exist", null);
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT last_replay_id FROM " + channel + " WHERE id = ?")) {
            ps.setLong(1, channelId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                last = rs.getLong(1);
            }
        }
        long first = last - n + 1;
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + event
                + " (channel_id, replay_id, event_uuid, published_at, payload) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                NewEvent e = events.get(i);
                ps.setLong(1, channelId);
                ps.setLong(2, first + i);
                Jdbc.setUuid(ps, 3, e.uuid());
                Jdbc.setInstant(ps, 4, e.publishedAt());
                ps.setString(5, e.payload());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return first;
    }

    @Override
    public void notifyAtCommit(Connection c) {
        if (notifier == null) return;
        Jdbc.inConnection(c, "notify", conn -> {
            // pg_notify takes the channel as a value: a schema's channel keeps its case and characters.
            try (PreparedStatement ps = conn.prepareStatement("SELECT pg_notify(?, '')")) {
                ps.setString(1, notifyChannel);
                ps.execute();
            }
            return null;
        });
    }

    @Override
    public void notifySoon() {
        // This node was woken in-process; while a fresh check says no other process listens, a request would only
        // wake the notifier's thread to skip it (as for enqueues).
        if (notifier != null && !notifier.nobodyElseListens()) notifier.request();
    }

    @Override
    public <T> T inTransaction(String what, Function<Connection, T> work) {
        return jdbc.inTransaction(what, work::apply);
    }

    @Override
    public List<StoredEvent> read(long channelId, long after, int limit) {
        return jdbc.inAutoCommit("read events", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT replay_id, event_uuid, published_at, payload FROM "
                    + event + " WHERE channel_id = ? AND replay_id > ? ORDER BY replay_id LIMIT ?")) {
                ps.setLong(1, channelId);
                ps.setLong(2, after);
                ps.setInt(3, limit);
                List<StoredEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StoredEvent(rs.getLong(1), Jdbc.getUuid(rs, "event_uuid"),
                                Jdbc.getInstant(rs, "published_at"), rs.getString(4)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public int prune(long channelId, Instant cutoff, int limit) {
        return jdbc.inTransaction("prune events", c -> {
            // Only a prefix is deleted (the oldest events, in replay order, up to the first one still within
            // retention), so the retained log stays one unbroken run of replay ids after pruned_through.
            long through = -1;
            try (PreparedStatement ps = c.prepareStatement("SELECT replay_id, published_at FROM " + event
                    + " WHERE channel_id = ? ORDER BY replay_id LIMIT ?")) {
                ps.setLong(1, channelId);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!Jdbc.getInstant(rs, "published_at").isBefore(cutoff)) break;
                        through = rs.getLong(1);
                    }
                }
            }
            if (through < 0) return 0;
            int n;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + event
                    + " WHERE channel_id = ? AND replay_id <= ?")) {
                ps.setLong(1, channelId);
                ps.setLong(2, through);
                n = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + channel
                    + " SET pruned_through = ? WHERE id = ? AND pruned_through < ?")) {
                ps.setLong(1, through);
                ps.setLong(2, channelId);
                ps.setLong(3, through);
                ps.executeUpdate();
            }
            return n;
        });
    }

    @Override
    public void putSubscription(NewSubscription s, Instant now) {
        jdbc.inTransaction("subscribe " + s.name(), c -> {
            Long id = null;
            int oldPartitions = 0;
            long oldChannel = -1;
            try (PreparedStatement ps = c.prepareStatement("SELECT id, partitions, channel_id FROM " + subscription
                    + " WHERE tenant_id = ? AND name = ? FOR UPDATE")) {
                ps.setString(1, s.tenant().value());
                ps.setString(2, s.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        id = rs.getLong(1);
                        oldPartitions = rs.getInt(2);
                        oldChannel = rs.getLong(3);
                    }
                }
            }
            if (id == null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + subscription
                        + " (tenant_id, name, channel_id, handler_class, batch_size, partitions, partition_key,"
                        + " created_at, run_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
                    ps.setString(1, s.tenant().value());
                    ps.setString(2, s.name());
                    ps.setLong(3, s.channelId());
                    ps.setString(4, s.handlerClass());
                    ps.setInt(5, s.batchSize());
                    ps.setInt(6, s.partitions());
                    ps.setString(7, s.partitionKey());
                    Jdbc.setInstant(ps, 8, now);
                    ps.setString(9, s.runAs());
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                insertPartitions(c, id, 0, s.partitions(), s.startCheckpoint(), now);
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + subscription
                    + " SET channel_id = ?, handler_class = ?, batch_size = ?, partitions = ?, partition_key = ?,"
                    + " run_as = ? WHERE id = ?")) {
                ps.setLong(1, s.channelId());
                ps.setString(2, s.handlerClass());
                ps.setInt(3, s.batchSize());
                ps.setInt(4, s.partitions());
                ps.setString(5, s.partitionKey());
                ps.setString(6, s.runAs());
                ps.setLong(7, id);
                ps.executeUpdate();
            }
            if (oldChannel != s.channelId()) {
                deletePartitions(c, id);
                insertPartitions(c, id, 0, s.partitions(), s.startCheckpoint(), now);
            } else if (oldPartitions != s.partitions()) {
                // Repartitioning resumes every partition from the lowest checkpoint (SPEC EVT-13): some events of
                // some partitions are delivered twice, none is lost.
                long from;
                try (PreparedStatement ps = c.prepareStatement("SELECT MIN(checkpoint) FROM " + partition
                        + " WHERE subscription_id = ?")) {
                    ps.setLong(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        from = rs.getLong(1);
                    }
                }
                deletePartitions(c, id);
                insertPartitions(c, id, 0, s.partitions(), from, now);
            }
            return null;
        });
    }

    private void insertPartitions(Connection c, long id, int from, int to, long checkpoint, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + partition
                + " (subscription_id, partition_no, checkpoint, state, next_attempt_at) VALUES (?, ?, ?, 'ACTIVE', ?)")) {
            for (int p = from; p < to; p++) {
                ps.setLong(1, id);
                ps.setInt(2, p);
                ps.setLong(3, checkpoint);
                Jdbc.setInstant(ps, 4, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void deletePartitions(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + partition + " WHERE subscription_id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    @Override
    public boolean deleteSubscription(TenantId tenant, String name) {
        return jdbc.inTransaction("unsubscribe " + name, c -> {
            Long id = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + subscription
                    + " WHERE tenant_id = ? AND name = ?")) {
                ps.setString(1, tenant.value());
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) id = rs.getLong(1);
                }
            }
            if (id == null) return false;
            deletePartitions(c, id);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + subscription + " WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return true;
        });
    }

    private String partitionSelect() {
        return "SELECT p.subscription_id, p.partition_no, p.checkpoint, p.state, p.retries, p.last_error, p.lease_token,"
                + " s.tenant_id, s.name, s.channel_id, s.handler_class, s.batch_size, s.partitions, s.partition_key,"
                + " s.run_as, c.name AS channel_name, c.last_replay_id"
                + " FROM " + partition + " p JOIN " + subscription + " s ON s.id = p.subscription_id"
                // Each subscription reaches its channel by the key: as a plain join, PostgreSQL merged a tenant's
                // subscriptions with a walk of every tenant's channels.
                + dialect.joinByKey(channel, "c", "c.name, c.last_replay_id", "c.id = s.channel_id");
    }

    private static PartitionRow partitionRow(ResultSet rs) throws SQLException {
        long checkpoint = rs.getLong("checkpoint");
        return new PartitionRow(rs.getLong("subscription_id"), TenantId.of(rs.getString("tenant_id")),
                rs.getString("name"), rs.getLong("channel_id"), rs.getString("channel_name"),
                rs.getString("handler_class"), rs.getInt("batch_size"), rs.getInt("partitions"),
                rs.getString("partition_key"), rs.getInt("partition_no"), checkpoint,
                Math.max(0, rs.getLong("last_replay_id") - checkpoint), SubscriptionState.valueOf(rs.getString("state")),
                rs.getString("last_error"), rs.getInt("retries"), rs.getLong("lease_token"), rs.getString("run_as"));
    }

    @Override
    public List<PartitionRow> partitions(TenantId tenant, String name) {
        return jdbc.inAutoCommit("read subscription " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(partitionSelect()
                    + " WHERE s.tenant_id = ? AND s.name = ? ORDER BY p.partition_no")) {
                ps.setString(1, tenant.value());
                ps.setString(2, name);
                List<PartitionRow> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) rows.add(partitionRow(rs));
                }
                return rows;
            }
        });
    }

    @Override
    public List<PartitionRow> partitions(TenantId tenant) {
        return jdbc.inAutoCommit("read subscriptions of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement(partitionSelect()
                    + " WHERE s.tenant_id = ? ORDER BY s.name, p.partition_no")) {
                ps.setString(1, tenant.value());
                List<PartitionRow> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) rows.add(partitionRow(rs));
                }
                return rows;
            }
        });
    }

    @Override
    public Set<TenantId> tenantsSubscribedTo(String channelName) {
        return jdbc.inAutoCommit("read subscribers of " + channelName, c -> {
            // The channels of that name drive, each probing its tenant's subscriptions by key (OFFSET 0 keeps the
            // probe from becoming a join): as a join, every tenant's subscriptions were read (there is no index on
            // channel_id). The channels of every tenant are still read, as no index leads with their name.
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT c.tenant_id FROM " + channel + " c"
                    + " WHERE c.name = ? AND EXISTS (SELECT 1 FROM " + subscription + " s WHERE s.tenant_id = c.tenant_id"
                    + " AND s.channel_id = c.id OFFSET 0)")) {
                ps.setString(1, channelName);
                Set<TenantId> out = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(TenantId.of(rs.getString(1)));
                }
                return out;
            }
        });
    }

    @Override
    public Optional<PartitionRow> claim(String node, Instant now, Instant leaseUntil, Instant dueBy, TenantId tenant,
                                        Set<String> handlerClasses) {
        return jdbc.inAutoCommit("claim a subscription", c -> {
            List<PartitionRow> candidates = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(partitionSelect()
                    + " WHERE p.state = 'ACTIVE' AND p.next_attempt_at <= ? AND (p.lease_until IS NULL OR p.lease_until < ?)"
                    + " AND c.last_replay_id > p.checkpoint" + (tenant == null ? "" : " AND s.tenant_id = ?")
                    + " ORDER BY p.next_attempt_at LIMIT 50")) {
                Jdbc.setInstant(ps, 1, dueBy);
                Jdbc.setInstant(ps, 2, now);
                if (tenant != null) ps.setString(3, tenant.value());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        PartitionRow row = partitionRow(rs);
                        if (handlerClasses.contains(row.handlerClass())) candidates.add(row);
                    }
                }
            }
            // A compare-and-set on the lease: of two nodes racing for a partition exactly one updates the row.
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + partition
                    + " SET lease_owner = ?, lease_until = ?, lease_token = lease_token + 1"
                    + " WHERE subscription_id = ? AND partition_no = ? AND lease_token = ? AND state = 'ACTIVE'"
                    + " AND (lease_until IS NULL OR lease_until < ?)")) {
                for (PartitionRow row : candidates) {
                    ps.setString(1, node);
                    Jdbc.setInstant(ps, 2, leaseUntil);
                    ps.setLong(3, row.subscriptionId());
                    ps.setInt(4, row.partition());
                    ps.setLong(5, row.leaseToken());
                    Jdbc.setInstant(ps, 6, now);
                    if (ps.executeUpdate() == 1) {
                        return Optional.of(new PartitionRow(row.subscriptionId(), row.tenant(), row.name(),
                                row.channelId(), row.channelName(), row.handlerClass(), row.batchSize(), row.partitions(),
                                row.partitionKey(), row.partition(), row.checkpoint(), row.lag(), row.state(),
                                row.lastError(), row.retries(), row.leaseToken() + 1, row.runAs()));
                    }
                }
            }
            return Optional.empty();
        });
    }

    @Override
    public boolean finish(Connection c, PartitionRow lease, Outcome o) {
        Jdbc.Work<Boolean> work = conn -> {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE " + partition
                    + " SET checkpoint = ?, state = ?, retries = ?, last_error = ?, next_attempt_at = ?,"
                    + " lease_owner = NULL, lease_until = NULL"
                    + " WHERE subscription_id = ? AND partition_no = ? AND lease_token = ?")) {
                ps.setLong(1, o.checkpoint());
                ps.setString(2, o.state().name());
                ps.setInt(3, o.retries());
                ps.setString(4, o.lastError() == null ? null
                        : o.lastError().length() > 1000 ? o.lastError().substring(0, 1000) : o.lastError());
                Jdbc.setInstant(ps, 5, o.nextAttemptAt());
                ps.setLong(6, lease.subscriptionId());
                ps.setInt(7, lease.partition());
                ps.setLong(8, lease.leaseToken());
                return ps.executeUpdate() == 1;
            }
        };
        return c == null ? jdbc.inTransaction("end a delivery", work) : Jdbc.inConnection(c, "end a delivery", work);
    }

    @Override
    public int resume(long subscriptionId, ResumeFrom from, Instant now) {
        return jdbc.inTransaction("resume subscription", c -> {
            String checkpoint = from == ResumeFrom.TIP
                    // The subscription's channel, reached by key (a join merged it with a walk of every channel).
                    ? "(SELECT c.last_replay_id FROM " + channel + " c WHERE c.id = (SELECT s.channel_id FROM "
                    + subscription + " s WHERE s.id = ?))" : "checkpoint";
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + partition + " SET state = 'ACTIVE', retries = 0,"
                    + " next_attempt_at = ?, checkpoint = " + checkpoint
                    + " WHERE subscription_id = ? AND state = 'SUSPENDED'")) {
                int i = 1;
                Jdbc.setInstant(ps, i++, now);
                if (from == ResumeFrom.TIP) ps.setLong(i++, subscriptionId);
                ps.setLong(i, subscriptionId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean renew(PartitionRow lease, Instant leaseUntil) {
        return jdbc.inAutoCommit("renew the lease of " + lease.name(), c -> {
            // lease_until IS NOT NULL: a delivery that already ended (finish clears it) is not leased again.
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + partition + " SET lease_until = ?"
                    + " WHERE subscription_id = ? AND partition_no = ? AND lease_token = ? AND lease_until IS NOT NULL")) {
                Jdbc.setInstant(ps, 1, leaseUntil);
                ps.setLong(2, lease.subscriptionId());
                ps.setInt(3, lease.partition());
                ps.setLong(4, lease.leaseToken());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<EventPolicy> policy(TenantId tenant) {
        return policies.get(tenant);
    }

    @Override
    public void putPolicy(TenantId tenant, EventPolicy p, Instant now) {
        policies.put(tenant, p, now);
    }

    @Override
    public int reservePublishes(TenantId tenant, Instant hour, int wanted, long limit) {
        if (wanted <= 0) return 0;
        // The common case in one autocommitted statement: the whole call fits in what is left of the hour.
        int all = jdbc.inAutoCommit("count published events of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + usage + " SET published = published + ?"
                    + " WHERE tenant_id = ? AND hour_start = ? AND published + ? <= ?")) {
                ps.setInt(1, wanted);
                ps.setString(2, tenant.value());
                Jdbc.setInstant(ps, 3, hour);
                ps.setInt(4, wanted);
                ps.setLong(5, limit);
                return ps.executeUpdate();
            }
        });
        if (all == 1) return wanted;
        // The hour's first publish, or the allocation is (nearly) used up: grant what is left under the row's lock.
        for (int tries = 0; ; tries++) {
            try {
                return jdbc.inTransaction("count published events of " + tenant, c -> {
                    long used = -1;
                    try (PreparedStatement ps = c.prepareStatement("SELECT published FROM " + usage
                            + " WHERE tenant_id = ? AND hour_start = ? FOR UPDATE")) {
                        ps.setString(1, tenant.value());
                        Jdbc.setInstant(ps, 2, hour);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) used = rs.getLong(1);
                        }
                    }
                    int granted = (int) Math.max(0, Math.min(wanted, limit - Math.max(0, used)));
                    addUsage(c, tenant, hour, "published", used >= 0, granted);
                    return granted;
                });
            } catch (StoreException e) {
                // Another node inserted the hour's row first: count against it instead.
                if (tries > 0 || !(e.getCause() instanceof SQLException x) || !dialect.isUniqueViolation(x)) throw e;
            }
        }
    }

    @Override
    public int reserveDeliveries(TenantId tenant, Instant hour, int wanted, long limit) {
        if (wanted <= 0) return 0;
        Instant from = hour.minus(java.time.Duration.ofHours(23));
        // The common case in one autocommitted statement: the whole poll fits in what is left of the 24 hours. The
        // earlier hours' rows no longer grow (every node counts into the current hour), so only the current row is
        // contended, and its lock makes a concurrent update re-check the sum.
        int all = jdbc.inAutoCommit("count delivered events of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + usage + " SET delivered = delivered + ?"
                    + " WHERE tenant_id = ? AND hour_start = ? AND delivered + ? + (SELECT COALESCE(SUM(e.delivered),"
                    + " 0) FROM " + usage + " e WHERE e.tenant_id = ? AND e.hour_start >= ? AND e.hour_start < ?)"
                    + " <= ?")) {
                ps.setInt(1, wanted);
                ps.setString(2, tenant.value());
                Jdbc.setInstant(ps, 3, hour);
                ps.setInt(4, wanted);
                ps.setString(5, tenant.value());
                Jdbc.setInstant(ps, 6, from);
                Jdbc.setInstant(ps, 7, hour);
                ps.setLong(8, limit);
                return ps.executeUpdate();
            }
        });
        if (all == 1) return wanted;
        // The hour's first count, or the allocation is (nearly) used up: grant what is left under the row's lock.
        for (int tries = 0; ; tries++) {
            try {
                return jdbc.inTransaction("count delivered events of " + tenant, c -> {
                    long current = -1;
                    try (PreparedStatement ps = c.prepareStatement("SELECT delivered FROM " + usage
                            + " WHERE tenant_id = ? AND hour_start = ? FOR UPDATE")) {
                        ps.setString(1, tenant.value());
                        Jdbc.setInstant(ps, 2, hour);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) current = rs.getLong(1);
                        }
                    }
                    long earlier;
                    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(delivered), 0) FROM " + usage
                            + " WHERE tenant_id = ? AND hour_start >= ? AND hour_start < ?")) {
                        ps.setString(1, tenant.value());
                        Jdbc.setInstant(ps, 2, from);
                        Jdbc.setInstant(ps, 3, hour);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            earlier = rs.getLong(1);
                        }
                    }
                    int granted = (int) Math.max(0, Math.min(wanted, limit - earlier - Math.max(0, current)));
                    addUsage(c, tenant, hour, "delivered", current >= 0, granted);
                    return granted;
                });
            } catch (StoreException e) {
                // Another node inserted the hour's row first: count against it instead.
                if (tries > 0 || !(e.getCause() instanceof SQLException x) || !dialect.isUniqueViolation(x)) throw e;
            }
        }
    }

    /**
     * Adds {@code n} to a column of the tenant's usage row of the hour: inserts the row when it does not exist yet (a
     * racing node's insert then fails on the key, and the caller counts again against that row).
     */
    private void addUsage(Connection c, TenantId tenant, Instant hour, String column, boolean rowExists, int n)
            throws SQLException {
        if (rowExists && n <= 0) return;
        String sql = rowExists
                ? "UPDATE " + usage + " SET " + column + " = " + column + " + ? WHERE tenant_id = ? AND hour_start = ?"
                : "INSERT INTO " + usage + " (" + column + ", tenant_id, hour_start) VALUES (?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, n);
            ps.setString(2, tenant.value());
            Jdbc.setInstant(ps, 3, hour);
            ps.executeUpdate();
        }
    }

    @Override
    public java.util.NavigableMap<Instant, Long> deliveries(TenantId tenant, Instant fromHour) {
        return jdbc.inAutoCommit("read delivered events of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT hour_start, delivered FROM " + usage
                    + " WHERE tenant_id = ? AND hour_start >= ? AND delivered > 0")) {
                ps.setString(1, tenant.value());
                Jdbc.setInstant(ps, 2, fromHour);
                java.util.NavigableMap<Instant, Long> out = new java.util.TreeMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(Jdbc.getInstant(rs, "hour_start"), rs.getLong("delivered"));
                }
                return out;
            }
        });
    }

    @Override
    public int pruneUsage(Instant before) {
        return jdbc.inTransaction("prune event usage", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + usage + " WHERE hour_start < ?")) {
                Jdbc.setInstant(ps, 1, before);
                return ps.executeUpdate();
            }
        });
    }
}
