-- PostgreSQL compresses batch chunk records with lz4 from this version on; H2 keeps them as they are. This
-- migration only keeps the version numbers the same on both databases.
COMMENT ON TABLE mr_batch_chunk IS 'A running batch''s chunks: sequence, chunk job, records as JSON';
