from seldon_core_c.cli import main

main()
