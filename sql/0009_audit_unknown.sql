-- A write whose outcome the gateway cannot know (ND timed out after the request left, the
-- connection broke mid-call, the gateway stopped during the call) is recorded as 'unknown',
-- never as 'failed': a human must check Nexus Dashboard. Existing rows are untouched.
alter table audit_events drop constraint audit_events_status_check;
alter table audit_events add constraint audit_events_status_check
  check (status in ('ok', 'denied', 'failed', 'pending', 'unknown'));
