/* mosh: program entry point only; the work lives in src/launcher/. */
#include "launcher/launcher.h"
#include "util/coredump.h"

int main(int argc, char **argv)
{
	/* Before MOSH CONNECT brings the key: no core dump may hold it. */
	coredump_disable();
	return launcher_main(argc, argv);
}
