"""届出点検 (001a ACQ-1-3, ACQ-3-4; 001b C-01): a 届出 entered by one clerk is registered
only when a second person checks it. `kinds` lists every 届出 with the service function
that records it; `service` enters, checks, sends back and withdraws them, and keeps the
municipality's setting. Every family of 届出 is below it: it is their one door."""
