/* Mirror servers in the Forum. Kept by hand. */
#ifndef SITES_FORUM_H
#define SITES_FORUM_H

#define RMIRROR_SERVERS_FORUM fmirror1.inf.ed.ac.uk fmirror2.inf.ed.ac.uk
#define RMIRROR_ADDRS_FORUM 198.51.100.21 198.51.100.22

#endif /* SITES_FORUM_H */
