/* mosh-server: entry point; the program lives in src/server/. */
#include "server/main.h"

int main(int argc, char **argv)
{
	return server_main(argc, argv);
}
