import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { AssignThreadDto, CreatePostDto, CreateThreadDto, PostsQueryDto, ReadThreadDto } from './dto/threads.dto';
import { ThreadLifecycleService } from './thread-lifecycle.service';
import { ThreadPostsService } from './thread-posts.service';
import { ThreadQueriesService } from './thread-queries.service';

/** Mail counseling (docs/portal/threads.md). Whatever the caller may not see answers NOT_FOUND. */
@ApiTags('threads')
@ApiBearerAuth()
@Controller('api/threads')
export class ThreadsController {
  constructor(
    private readonly lifecycle: ThreadLifecycleService,
    private readonly queries: ThreadQueriesService,
    private readonly posts: ThreadPostsService,
  ) {}

  /** A client's enquiry `{ subject, body }`, or a counselor's thread `{ subject, body, clientIds }` → `201 { id }`. */
  @Post()
  create(@Auth() auth: AuthContext, @Body() dto: CreateThreadDto) {
    return this.lifecycle.create(auth, dto);
  }

  /** The caller's threads with unread counts; the admin: waiting and open threads (who and when, no subject). */
  @Get()
  list(@Auth() auth: AuthContext) {
    return this.queries.list(auth);
  }

  /** Counselor: their clients `[{ id, displayName }]` (thread members and assigned clients), for the pickers. */
  @Get('clients')
  clients(@Auth() auth: AuthContext) {
    return this.queries.myClients(auth);
  }

  /** The thread header for its members. */
  @Get(':id')
  get(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.queries.get(auth, id);
  }

  /** Admin: first assignment or reassignment `{ counselorId }` → `200 {}`. */
  @Post(':id/assign')
  @HttpCode(200)
  assign(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: AssignThreadDto) {
    return this.lifecycle.assign(auth, id, dto);
  }

  /** The thread's counselor closes it → `200 {}`. */
  @Post(':id/close')
  @HttpCode(200)
  close(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.lifecycle.close(auth, id);
  }

  /** Moves the caller's read marker `{ seq }` → `200 {}`. */
  @Post(':id/read')
  @HttpCode(200)
  read(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: ReadThreadDto) {
    return this.posts.markRead(auth, id, dto.seq);
  }

  /** `{ posts: [...] }` after `afterSeq`, oldest first, at most `limit` (100). */
  @Get(':id/posts')
  listPosts(@Auth() auth: AuthContext, @Param('id') id: string, @Query() q: PostsQueryDto) {
    return this.posts.list(auth, id, q);
  }

  /** `{ body, clientPostId, documentIds? }` → `201 { id, seq }`. */
  @Post(':id/posts')
  createPost(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: CreatePostDto) {
    return this.posts.create(auth, id, dto);
  }
}
