"""`juki pia`: a node's privacy impact assessment (特定個人情報保護評価書), written from the
code, the configuration and the running node, laid out as the seeds lay one out."""
