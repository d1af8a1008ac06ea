package studio.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The studio's embedded SQLite database ({@code <home>/studio.db}): jobs and their logs, generated images with the
 * parameters that reproduce them, runs (training, evaluation) and their metrics. Files (PNGs, overlays,
 * checkpoints) live on disk beside it; rows hold paths relative to the home. One connection, serialized by this
 * object's monitor: writes are small (a row per job event, progress throttled by the queue), and SQLite has a
 * single writer anyway. WAL journaling keeps a crash from losing committed rows.
 */
public final class Store implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
    /** States a job can be in when the process stops; on the next start they become {@code interrupted}. */
    private static final String UNFINISHED = "('queued','running')";

    private final Connection db;

    private Store(Connection db) {
        this.db = db;
    }

    /** Opens (creating if needed) the database file and its schema. */
    public static Store open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA foreign_keys=ON");
                for (String ddl : SCHEMA) {
                    s.execute(ddl);
                }
            }
            return new Store(c);
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open the database " + file, e);
        }
    }

    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,"
                + " params TEXT NOT NULL, result TEXT, error TEXT, step INTEGER NOT NULL DEFAULT 0,"
                + " steps INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL DEFAULT 0,"
                + " finished_ms INTEGER NOT NULL DEFAULT 0)",
        "CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_ms)",
        "CREATE TABLE IF NOT EXISTS job_logs (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                + " job_id TEXT NOT NULL REFERENCES jobs(id), at_ms INTEGER NOT NULL, line TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS job_logs_job ON job_logs(job_id, seq)",
        "CREATE TABLE IF NOT EXISTS images (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(id),"
                + " idx INTEGER NOT NULL, file TEXT NOT NULL, seed INTEGER NOT NULL, width INTEGER NOT NULL,"
                + " height INTEGER NOT NULL, params TEXT NOT NULL, metadata TEXT NOT NULL, created_ms INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS images_created ON images(created_ms)",
        "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(id),"
                + " kind TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL, created_ms INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS metrics (run_id TEXT NOT NULL REFERENCES runs(id), step INTEGER NOT NULL,"
                + " name TEXT NOT NULL, value REAL NOT NULL, at_ms INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS metrics_run ON metrics(run_id, name, step)",
    };

    /** Marks every job that was queued or running when the process stopped as interrupted; returns how many. */
    public synchronized int markUnfinishedInterrupted(long nowMs) {
        return update("UPDATE jobs SET state='interrupted', finished_ms=?, error=COALESCE(error,"
                + " 'the server stopped before this job finished') WHERE state IN " + UNFINISHED, nowMs);
    }

    public synchronized void insertJob(JobRow j) {
        update("INSERT INTO jobs (id, kind, state, params, result, error, step, steps, created_ms, started_ms, finished_ms)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?)", j.id(), j.kind(), j.state(), json(j.params()),
                j.result().isEmpty() ? null : json(j.result()), j.error(), j.step(), j.steps(), j.createdMs(),
                j.startedMs(), j.finishedMs());
    }

    public synchronized void markStarted(String id, long nowMs) {
        update("UPDATE jobs SET state='running', started_ms=? WHERE id=?", nowMs, id);
    }

    /** A terminal state (done, failed, cancelled) with the result or the error. */
    public synchronized void markFinished(String id, String state, Map<String, Object> result, String error, long nowMs) {
        update("UPDATE jobs SET state=?, result=?, error=?, finished_ms=? WHERE id=?", state,
                result == null || result.isEmpty() ? null : json(result), error, nowMs, id);
    }

    public synchronized void updateProgress(String id, int step, int steps) {
        update("UPDATE jobs SET step=?, steps=? WHERE id=?", step, steps, id);
    }

    public synchronized Optional<JobRow> job(String id) {
        List<JobRow> rows = query("SELECT * FROM jobs WHERE id=?", Store::jobRow, id);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Newest first. */
    public synchronized List<JobRow> jobs(int limit, int offset) {
        return query("SELECT * FROM jobs ORDER BY created_ms DESC, rowid DESC LIMIT ? OFFSET ?", Store::jobRow, limit, offset);
    }

    public synchronized long countJobs(String state) {
        List<Long> n = query(state == null ? "SELECT COUNT(*) FROM jobs" : "SELECT COUNT(*) FROM jobs WHERE state=?",
                rs -> rs.getLong(1), state == null ? new Object[0] : new Object[] {state});
        return n.get(0);
    }

    public synchronized void appendLog(String jobId, String line, long nowMs) {
        update("INSERT INTO job_logs (job_id, at_ms, line) VALUES (?,?,?)", jobId, nowMs, line);
    }

    /** Log lines of a job after sequence number {@code afterSeq}, oldest first. */
    public synchronized List<LogLine> logs(String jobId, long afterSeq, int limit) {
        return query("SELECT seq, at_ms, line FROM job_logs WHERE job_id=? AND seq>? ORDER BY seq LIMIT ?",
                rs -> new LogLine(rs.getLong(1), rs.getLong(2), rs.getString(3)), jobId, afterSeq, limit);
    }

    /** One line of a job's log. */
    public record LogLine(long seq, long atMs, String line) {}

    public synchronized void insertImage(ImageRow i) {
        update("INSERT INTO images (id, job_id, idx, file, seed, width, height, params, metadata, created_ms)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?)", i.id(), i.jobId(), i.index(), i.file(), i.seed(), i.width(),
                i.height(), json(i.params()), json(i.metadata()), i.createdMs());
    }

    public synchronized Optional<ImageRow> image(String id) {
        List<ImageRow> rows = query("SELECT * FROM images WHERE id=?", Store::imageRow, id);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Newest first. */
    public synchronized List<ImageRow> images(int limit, int offset) {
        return query("SELECT * FROM images ORDER BY created_ms DESC, rowid DESC LIMIT ? OFFSET ?", Store::imageRow,
                limit, offset);
    }

    public synchronized List<ImageRow> imagesOfJob(String jobId) {
        return query("SELECT * FROM images WHERE job_id=? ORDER BY idx", Store::imageRow, jobId);
    }

    /** Stores a run; a second insert of the same id is ignored (the route and the job both make sure it exists). */
    public synchronized void insertRun(String id, String jobId, String kind, String name, Map<String, Object> config,
                                       long nowMs) {
        update("INSERT OR IGNORE INTO runs (id, job_id, kind, name, config, created_ms) VALUES (?,?,?,?,?,?)", id, jobId,
                kind, name, json(config), nowMs);
    }

    public synchronized Optional<RunRow> run(String id) {
        List<RunRow> rows = query("SELECT * FROM runs WHERE id=?", Store::runRow, id);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Runs of one kind, newest first. */
    public synchronized List<RunRow> runs(String kind, int limit, int offset) {
        return query("SELECT * FROM runs WHERE kind=? ORDER BY created_ms DESC, rowid DESC LIMIT ? OFFSET ?",
                Store::runRow, kind, limit, offset);
    }

    /** The job now working on the run (a resume). */
    public synchronized void setRunJob(String runId, String jobId) {
        update("UPDATE runs SET job_id=? WHERE id=?", jobId, runId);
    }

    public synchronized void addMetric(String runId, int step, String name, double value, long nowMs) {
        update("INSERT INTO metrics (run_id, step, name, value, at_ms) VALUES (?,?,?,?,?)", runId, step, name, value, nowMs);
    }

    /**
     * Drops the run's metrics after {@code step}: a resume from the checkpoint of {@code step} repeats the steps a crash
     * cut off after it, and each step keeps one row per metric (as MetricsLog does with metrics.jsonl).
     */
    public synchronized int deleteMetricsAfter(String runId, long step) {
        return update("DELETE FROM metrics WHERE run_id=? AND step>?", runId, step);
    }

    /** One metric value of a run. */
    public record Metric(int step, String name, double value) {}

    public synchronized List<Metric> metrics(String runId) {
        return query("SELECT step, name, value FROM metrics WHERE run_id=? ORDER BY name, step",
                rs -> new Metric(rs.getInt(1), rs.getString(2), rs.getDouble(3)), runId);
    }

    /** The newest value of one metric of a run. */
    public synchronized Optional<Metric> lastMetric(String runId, String name) {
        List<Metric> rows = query("SELECT step, name, value FROM metrics WHERE run_id=? AND name=? ORDER BY step DESC LIMIT 1",
                rs -> new Metric(rs.getInt(1), rs.getString(2), rs.getDouble(3)), runId, name);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the database", e);
        }
    }

    private static JobRow jobRow(ResultSet rs) throws SQLException {
        return new JobRow(rs.getString("id"), rs.getString("kind"), rs.getString("state"), map(rs.getString("params")),
                map(rs.getString("result")), rs.getString("error"), rs.getInt("step"), rs.getInt("steps"),
                rs.getLong("created_ms"), rs.getLong("started_ms"), rs.getLong("finished_ms"));
    }

    private static RunRow runRow(ResultSet rs) throws SQLException {
        return new RunRow(rs.getString("id"), rs.getString("job_id"), rs.getString("kind"), rs.getString("name"),
                map(rs.getString("config")), rs.getLong("created_ms"));
    }

    private static ImageRow imageRow(ResultSet rs) throws SQLException {
        return new ImageRow(rs.getString("id"), rs.getString("job_id"), rs.getInt("idx"), rs.getString("file"),
                rs.getLong("seed"), rs.getInt("width"), rs.getInt("height"), map(rs.getString("params")),
                map(rs.getString("metadata")), rs.getLong("created_ms"));
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowReader<T> reader, Object... args) {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(reader.read(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("query failed: " + sql, e);
        }
    }

    private int update(String sql, Object... args) {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("update failed: " + sql, e);
        }
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = db.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    static String json(Map<String, Object> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new StoreException("cannot serialize " + m.keySet(), e);
        }
    }

    static Map<String, Object> map(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new StoreException("corrupt JSON column: " + e.getOriginalMessage(), e);
        }
    }

    /** A database failure: an internal error (HTTP 500), never the user's fault. */
    public static final class StoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
