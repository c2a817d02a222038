// A notes service on grpc-go with server reflection, written the way
// grpc-go's examples (helloworld, route_guide) write one, from the code
// Debian's protoc-gen-go (github.com/golang/protobuf 1.3, plugins=grpc,
// the generator that matches Debian's grpc-go 1.33) generated for
// tests/apps/python/grpc_protos/notes.proto:
//
//	python3 -m grpc_tools.protoc -Ipython/grpc_protos \
//	    '--go_out=plugins=grpc,import_path=main:go/grpc_apps/notes' python/grpc_protos/notes.proto
//
// Usage: notes PORT [plain-error]. By default every failure is a status
// that names it (codes.InvalidArgument, codes.NotFound). With plain-error,
// GetNote returns a plain error for a missing note, as Go code usually
// passes errors on: grpc-go sends it as UNKNOWN with err.Error()
// (WF-GRPC-001).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
)

type server struct {
	UnimplementedNotesServer
	plainError bool
	mu         sync.Mutex
	notes      map[string]*Note
	next       int
}

func (s *server) CreateNote(ctx context.Context, in *CreateNoteRequest) (*Note, error) {
	if in.GetTitle() == "" || len(in.GetTitle()) > 200 {
		return nil, status.Error(codes.InvalidArgument, "title must be 1 to 200 characters")
	}
	if in.GetPriority() < 0 {
		return nil, status.Error(codes.InvalidArgument, "priority must not be negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	note := &Note{Id: strconv.Itoa(s.next), Title: in.GetTitle(), Priority: in.GetPriority()}
	s.notes[note.Id] = note
	return note, nil
}

var errNoNote = errors.New("note not found")

func (s *server) GetNote(ctx context.Context, in *GetNoteRequest) (*Note, error) {
	s.mu.Lock()
	note, ok := s.notes[in.GetId()]
	s.mu.Unlock()
	if !ok {
		if s.plainError {
			return nil, fmt.Errorf("get note %q: %w", in.GetId(), errNoNote)
		}
		return nil, status.Error(codes.NotFound, "no such note")
	}
	return note, nil
}

func (s *server) WatchNotes(in *WatchNotesRequest, stream Notes_WatchNotesServer) error {
	if in.GetSince() < 0 {
		return status.Error(codes.InvalidArgument, "since must not be negative")
	}
	for {
		select {
		case <-stream.Context().Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: notes PORT [plain-error]")
	}
	lis, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		log.Fatalf("failed to listen: %v", err)
	}
	s := grpc.NewServer()
	RegisterNotesServer(s, &server{
		plainError: len(os.Args) > 2 && os.Args[2] == "plain-error",
		notes:      map[string]*Note{},
	})
	reflection.Register(s)
	if err := s.Serve(lis); err != nil {
		log.Fatalf("failed to serve: %v", err)
	}
}
