-- Error-rate and latency rules may watch one operation (span name) of the
-- services they select instead of the whole service.
alter table alert_rules add column operation text not null default '';
