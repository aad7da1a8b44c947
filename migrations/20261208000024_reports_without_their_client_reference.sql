-- A report kept its client_reference beside its raw body, which holds it too: 28 bytes a
-- report in the row, for the event page alone. The page now reads it from the raw body
-- (kept `DLRHUB_RAW_RETENTION_DAYS`); once that has expired, the event itself still holds
-- what dlrhub used of it (the uid, the category and the other keys as attributes).
-- Rejections keep their own copy: the console lists it for the customer to fix.
--
-- Dropping a column changes the catalog only: the upgrade takes no time, and rows stored
-- before keep the bytes until their day expires.
ALTER TABLE reports DROP COLUMN client_reference;
