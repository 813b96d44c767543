import GanPipeCLI

@main
enum Entry {
    static func main() {
        GanPipe.run()
    }
}
