/* mosh: program entry point only; the work lives in src/launcher/. */
#include "launcher/launcher.h"

int main(int argc, char **argv)
{
	return launcher_main(argc, argv);
}
