-- The fair share of every participant across every instance (src/limits): a rate budget per client
-- key and fixed window (rate_budgets) and the operations running now (rate_slots, leases that expire
-- when an instance dies before releasing them). Both UNLOGGED: lost in a crash, which only resets
-- budgets and frees slots. rate_admit() charges the budget and takes a slot in one round trip, the
-- budget row's lock serialising the admissions of one key. Only the connection user (the owner)
-- reaches them: no grant to the request role, and EXECUTE on the function is revoked from PUBLIC.

-- migrate:up
CREATE UNLOGGED TABLE rate_budgets (
  client_key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  spent bigint NOT NULL
);

CREATE UNLOGGED TABLE rate_slots (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_key text NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE INDEX rate_slots_key_idx ON rate_slots (client_key);

CREATE FUNCTION rate_admit(p_key text, p_cost bigint, p_now timestamptz, p_window_seconds integer,
                           p_points bigint, p_cap integer, p_lease_seconds integer)
RETURNS TABLE (outcome text, spent bigint, window_end timestamptz, slot_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
  w timestamptz := to_timestamp(floor(extract(epoch FROM p_now) / p_window_seconds) * p_window_seconds);
  b rate_budgets%ROWTYPE;
  live integer;
BEGIN
  -- Takes the key's row lock until the end of the statement's transaction: one admission at a time.
  INSERT INTO rate_budgets AS r (client_key, window_start, spent) VALUES (p_key, w, 0)
  ON CONFLICT (client_key) DO UPDATE SET
    spent = CASE WHEN EXCLUDED.window_start > r.window_start THEN 0 ELSE r.spent END,
    window_start = GREATEST(r.window_start, EXCLUDED.window_start)
  RETURNING * INTO b;
  window_end := b.window_start + make_interval(secs => p_window_seconds);
  spent := b.spent;
  IF b.spent + p_cost > p_points THEN
    outcome := 'BUDGET';
    RETURN NEXT;
    RETURN;
  END IF;
  IF p_cap > 0 THEN
    DELETE FROM rate_slots s WHERE s.client_key = p_key AND s.expires_at <= p_now;
    SELECT count(*) INTO live FROM rate_slots s WHERE s.client_key = p_key;
    IF live >= p_cap THEN
      outcome := 'BUSY';
      RETURN NEXT;
      RETURN;
    END IF;
    INSERT INTO rate_slots (client_key, expires_at)
      VALUES (p_key, p_now + make_interval(secs => p_lease_seconds)) RETURNING id INTO slot_id;
  END IF;
  UPDATE rate_budgets r SET spent = r.spent + p_cost WHERE r.client_key = p_key;
  spent := b.spent + p_cost;
  outcome := 'OK';
  -- Keys idle for a whole window are forgotten now and then.
  IF random() < 0.001 THEN
    DELETE FROM rate_budgets r WHERE r.window_start < w - make_interval(secs => p_window_seconds);
  END IF;
  RETURN NEXT;
END $$;

REVOKE ALL ON FUNCTION rate_admit(text, bigint, timestamptz, integer, bigint, integer, integer) FROM PUBLIC;

-- migrate:down
DROP FUNCTION rate_admit(text, bigint, timestamptz, integer, bigint, integer, integer);

DROP TABLE rate_slots;

DROP TABLE rate_budgets;
