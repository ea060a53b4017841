-- Portable SQL as in V1 to V4: runs unchanged on H2 2.x and PostgreSQL.

-- Traffic policies per model name (the router's A/B, bandit and shadow settings), so that a restart
-- routes as before: sticky assignment depends only on the policy and the key.
CREATE TABLE traffic_policy (
    model_name VARCHAR(128)             NOT NULL,
    policy     VARCHAR(100000)          NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by VARCHAR(256)             NOT NULL,
    CONSTRAINT pk_traffic_policy PRIMARY KEY (model_name)
);

-- Canary rollouts: a candidate version takes a growing share of a model's traffic in steps. At most
-- one RUNNING rollout per model (checked by the controller inside the registry's change lock).
CREATE TABLE rollout (
    id              BIGINT                   NOT NULL,
    model_name      VARCHAR(128)             NOT NULL,
    stable_version  INTEGER                  NOT NULL,
    candidate_version INTEGER                NOT NULL,
    spec            VARCHAR(100000)          NOT NULL,
    status          VARCHAR(16)              NOT NULL,
    step_index      INTEGER                  NOT NULL,
    step_started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_rollout PRIMARY KEY (id),
    CONSTRAINT ck_rollout_status CHECK (status IN ('RUNNING', 'PROMOTED', 'ROLLED_BACK', 'ABORTED'))
);

CREATE INDEX ix_rollout_model ON rollout (model_name, id);

-- Every decision of the canary controller with the numbers that drove it; audit_id is the entry
-- written to registry_audit in the same transaction.
CREATE TABLE rollout_decision (
    rollout_id BIGINT                   NOT NULL,
    audit_id   BIGINT                   NOT NULL,
    decided_at TIMESTAMP WITH TIME ZONE NOT NULL,
    step_index INTEGER                  NOT NULL,
    percent    DOUBLE PRECISION         NOT NULL,
    outcome    VARCHAR(16)              NOT NULL,
    reason     VARCHAR(10000)           NOT NULL,
    numbers    VARCHAR(100000)          NOT NULL,
    CONSTRAINT pk_rollout_decision PRIMARY KEY (rollout_id, audit_id)
);
