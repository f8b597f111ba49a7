/* Shared rmirror macros for server and client profiles, for a site whose cpp is ISO C
   (`mirrorc import --cpp-mode iso`): `##` pastes. LCFG's own cpp -traditional would not. */
#ifndef RMIRROR_MACROS_H
#define RMIRROR_MACROS_H

/* The port of the client-side rsync daemon (not the standard 873). */
#define RMIRROR_PORT 8873

/* Where a server keeps its copies; a profile may #define its own before the include. */
#ifndef RMIRROR_STORE
#define RMIRROR_STORE /disk/rmirror1
#endif

/*
 * MIRROR_CLIENT(tag, fqdn, module, path): mirror one disk of one client.
 *   tag     the disk's tag (rmirror pulls fqdn::tag, so the client's rsync module is the tag)
 *   fqdn    the client
 *   module  the client's rsync module name; must equal tag (kept for the client side)
 *   path    the copy's directory under RMIRROR_STORE
 * cpp puts the whole expansion on one line, so the resources are separated by ";;".
 */
#define MIRROR_CLIENT(tag, fqdn, module, path) \
    !rmirror.disklist mADD(tag) ;; \
    rmirror.srchost_##tag fqdn ;; \
    rmirror.srcport_##tag RMIRROR_PORT ;; \
    rmirror.dstdir_##tag RMIRROR_STORE/path

#endif /* RMIRROR_MACROS_H */
