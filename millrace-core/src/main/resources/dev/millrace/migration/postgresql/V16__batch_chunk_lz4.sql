-- A batch's chunk records are written once and read once, but a large batch writes tens of megabytes of them
-- while its chunks already run and commit: lz4 (fast, unlike pglz) shrinks the JSON about threefold, and with it
-- the WAL each chunk's commit has to flush. Where the server was built without lz4 they stay uncompressed.
DO $$
BEGIN
    ALTER TABLE mr_batch_chunk ALTER COLUMN records SET COMPRESSION lz4;
    ALTER TABLE mr_batch_chunk ALTER COLUMN records SET STORAGE EXTENDED;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 is not available here: batch chunk records stay uncompressed';
END $$;
