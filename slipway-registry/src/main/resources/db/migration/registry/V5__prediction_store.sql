-- Portable SQL as in V1 to V4: runs unchanged on H2 2.x and PostgreSQL.

-- The prediction store: the latest stored prediction of a model for an entity key, written by
-- batch jobs and read by key (GET /api/v1/models/{m}/predictions/{key}, store-first serving).
-- Outputs are a JSON object. No foreign key to the model: stored predictions are data about
-- entities, written and read by name like the scheduler's history.
CREATE TABLE stored_prediction (
    model_name VARCHAR(128)             NOT NULL,
    entity_key VARCHAR(256)             NOT NULL,
    version    INTEGER                  NOT NULL,
    outputs    VARCHAR(1000000)         NOT NULL,
    scored_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_stored_prediction PRIMARY KEY (model_name, entity_key),
    CONSTRAINT ck_stored_prediction_version CHECK (version > 0)
);
