-- Two more worker states (docs/compute.md "Worker states"): `rejected`, a worker taken out of
-- its job because its update was rejected (until now stored as `lost`, like a silent one), and
-- `done`, a worker still in its job when the job ended. Rows written before keep their state.
ALTER TABLE job_workers
  DROP CONSTRAINT job_workers_state_check,
  ADD CONSTRAINT job_workers_state_check
    CHECK (state IN ('assigned', 'fetching', 'training', 'submitted', 'lost', 'left', 'rejected', 'done'));
