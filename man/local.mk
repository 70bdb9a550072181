# man/ - a page for every program and for sluice.conf
dist_man_MANS += man/sluice-deliver.1 man/sluice.1 man/sluice-sieve.1 man/sluice.conf.5 \
	man/sluice-lmtpd.8
dist_man_MANS += man/sluice-auth.8 man/sluice-migrate.7
