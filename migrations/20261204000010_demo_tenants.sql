-- A demo workspace: registered by "Try it with simulated traffic" (or `dlrhub dev demo`)
-- against the MoEngage simulator, so that the console can mark it as such and remove it
-- in one click. Never set for a workspace an operator registers.
ALTER TABLE tenants ADD COLUMN demo boolean NOT NULL DEFAULT false;
