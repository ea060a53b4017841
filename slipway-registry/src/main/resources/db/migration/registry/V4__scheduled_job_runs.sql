-- Portable SQL as in V1 to V3: runs unchanged on H2 2.x and PostgreSQL.

-- The batch scheduler's history: one row per attempt of a job for a period (its business date).
-- Written RUNNING when the attempt starts and updated when it ends. No foreign keys: jobs are
-- defined in configuration, not in this database, and their history outlives their definition.
CREATE TABLE job_run (
    job_name     VARCHAR(128)             NOT NULL,
    business_date DATE                    NOT NULL,
    attempt      INTEGER                  NOT NULL,
    status       VARCHAR(16)              NOT NULL,
    run_trigger  VARCHAR(16)              NOT NULL,
    scheduled_at TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at  TIMESTAMP WITH TIME ZONE,
    rows_done    BIGINT,
    error        VARCHAR(10000),
    CONSTRAINT pk_job_run PRIMARY KEY (job_name, business_date, attempt),
    CONSTRAINT ck_job_run_attempt CHECK (attempt > 0),
    CONSTRAINT ck_job_run_status CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED'))
);
