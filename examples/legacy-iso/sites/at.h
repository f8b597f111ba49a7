/* Mirror servers in Appleton Tower. Kept by hand.
   amirror2 was retired; its address is gone from the list below. */
#ifndef SITES_AT_H
#define SITES_AT_H

#define RMIRROR_SERVERS_AT amirror1.inf.ed.ac.uk
#define RMIRROR_ADDRS_AT 192.0.2.31

#endif /* SITES_AT_H */
