-- The `paused` a checks-file check had in the file when last loaded. A
-- reload applies the file's `paused` only when the file changed it, so a
-- check paused by hand during maintenance stays paused across reloads and
-- restarts until someone resumes it or the file says otherwise.
alter table checks add column file_paused boolean;
