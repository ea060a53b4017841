-- Portable SQL as in V1 to V4: runs unchanged on H2 2.x and PostgreSQL.

-- The batch scheduler's paused jobs, so that a pause survives a restart. A row means "paused";
-- resuming deletes it. No foreign key: jobs are defined in configuration, not in this database.
CREATE TABLE job_pause (
    job_name  VARCHAR(128)             NOT NULL,
    paused_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_job_pause PRIMARY KEY (job_name)
);
