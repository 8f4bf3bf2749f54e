/*
 * The programs installed beside the launcher.
 *
 * A launcher run from a build tree (build/mosh) must drive the mosh-client
 * built with it, not whichever one PATH finds first, or the person trying the
 * build is testing another installation. So, unless --client names one, the
 * client is the mosh-client in the launcher's own directory (resolved through
 * /proc/self/exe, so a symlink to the launcher counts where the file is) when
 * an executable regular file is there; otherwise (or when the launcher's path
 * is unknown) PATH decides, as before.
 * The server is another machine's program over ssh: only --local takes the
 * sibling mosh-server (again unless --server names one).
 */
#ifndef MOSHC_LAUNCHER_SIBLING_H
#define MOSHC_LAUNCHER_SIBLING_H

/*
 * exe's directory joined with name (free()), or NULL unless exe is an
 * absolute path: a relative one would change meaning when --local's server
 * starts in $HOME. Pure.
 */
char *sibling_join(const char *exe, const char *name);

/* sibling_join's path if it is an executable regular file, else NULL (free()). */
char *sibling_find(const char *exe, const char *name);

#endif
