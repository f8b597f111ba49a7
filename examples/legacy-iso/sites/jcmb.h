/* Mirror servers in JCMB (James Clerk Maxwell Building).
 * Kept by hand: update this list whenever a server comes or goes,
 * and check the client profiles that include it. */
#ifndef SITES_JCMB_H
#define SITES_JCMB_H

#define RMIRROR_SERVERS_JCMB jmirror1.inf.ed.ac.uk jmirror2.inf.ed.ac.uk
#define RMIRROR_ADDRS_JCMB 192.0.2.11 192.0.2.12

#endif /* SITES_JCMB_H */
