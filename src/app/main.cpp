#include "app/cli.hpp"

int main(int argc, char** argv) { return ombud::app::RunCli(argc, argv); }
