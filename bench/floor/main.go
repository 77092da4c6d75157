// Command floor is the benchmark's floor: the smallest useful Go program, a
// main that prints a line. It is built exactly like maketoken, and every
// start-up figure is measured against it.
package main

import "fmt"

func main() {
	fmt.Println("floor")
}
