from .faces.launch import main

main()
